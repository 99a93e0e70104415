import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// Functions given to page.evaluate run in the browser; the tests compile without the DOM library.
declare const document: any;

/** Debian's Chromium; `npm test` installs it when missing (scripts/lib/setup.mjs, ensureChromium). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium driven by playwright-core (which downloads no browser of its own). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run the tests with \`npm test\`, which installs it, or apt-get install chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Where the screenshots go: the run's log folder when `npm test` gives one, else .cache/test-artifacts. */
export function artifactDirectory(): string {
  const dir = process.env.SMP_TEST_LOG_DIR
    ? path.join(process.env.SMP_TEST_LOG_DIR, 'dashboard')
    : path.resolve('.cache/test-artifacts/dashboard');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A full-page screenshot kept as a test artefact; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(artifactDirectory(), `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Script errors and failed requests of a page, to assert that a view rendered cleanly. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  return problems;
}

/** Waits until the view has replaced its loading indicator and drawn its charts (it waits for the page's state, not a clock). */
export async function viewReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      document.querySelector('main .loading') === null &&
      document.querySelector('main h1') !== null &&
      [...document.querySelectorAll('.chart-box')].every((box: any) => box.hasAttribute('data-drawn')),
    null,
    { timeout: 30_000 },
  );
}

/**
 * How much wider the page is than the viewport (0 when nothing sticks out sideways), once the layout has settled after
 * a resize (charts follow their box on the next frames): waits for it to fit, and measures what is left if it never does.
 */
export async function horizontalOverflow(page: Page): Promise<number> {
  const overflow = () => document.documentElement.scrollWidth - document.documentElement.clientWidth;
  await page
    .waitForFunction(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth, null, { timeout: 5_000 })
    .catch(() => undefined);
  return page.evaluate(overflow);
}
