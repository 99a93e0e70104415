import { existsSync } from 'node:fs';
import path from 'node:path';
import { CHART_JS_FILE, chartJsDirectory, dashboardContentSecurityPolicy, findDashboardDirectory } from './dashboard-assets.js';

describe('dashboard assets', () => {
  it('finds the static files from the sources and from the built app in dist/', () => {
    const fromSources = findDashboardDirectory(path.resolve('apps/insights/src/dashboard'));
    const fromDist = findDashboardDirectory(path.resolve('dist/apps/insights/src/dashboard'));
    expect(fromSources).toBe(path.resolve('apps/insights/dashboard'));
    expect(fromDist).toBe(fromSources);
    for (const page of ['index.html', 'report/index.html', 'js/app.js', 'js/report.js', 'css/app.css']) {
      expect(existsSync(path.join(fromSources!, page))).toBe(true);
    }
  });

  it('is null where the files are not shipped', () => {
    expect(findDashboardDirectory('/')).toBeNull();
  });

  it("serves Chart.js's self-contained build from node_modules", () => {
    expect(existsSync(path.join(chartJsDirectory(), CHART_JS_FILE))).toBe(true);
  });

  it('allows scripts from its own origin only, and requests to itself and to intake', () => {
    const policy = dashboardContentSecurityPolicy('https://intake.example.org/base');
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("connect-src 'self' https://intake.example.org;");
    expect(policy).toContain("frame-ancestors 'none'");
  });
});
