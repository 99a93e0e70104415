import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's static files live in apps/insights/dashboard (plain HTML,
 * CSS and ES modules, no build step). Found by walking up from this module,
 * so the same code finds them from the sources (tests) and from dist/ (the
 * built app). Null when they are not shipped (an image with dist/ only).
 */
export function findDashboardDirectory(from: string = path.dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'apps', 'insights', 'dashboard');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The folder holding Chart.js's self-contained UMD build (chart.umd.min.js), from node_modules. */
export function chartJsDirectory(): string {
  // chart.js exports only its entry points; its UMD file sits beside the CommonJS entry.
  return path.dirname(createRequire(import.meta.url).resolve('chart.js'));
}

export const CHART_JS_FILE = 'chart.umd.min.js';

/**
 * Content-Security-Policy of the dashboard pages: scripts, styles and images
 * from this origin only (no inline script), and requests to this origin and
 * to intake (the report form and the procedure upload call it).
 */
export function dashboardContentSecurityPolicy(intakeUrl: string): string {
  const intake = new URL(intakeUrl).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${intake}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
