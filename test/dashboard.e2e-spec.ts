import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureKafka, kafkaPrerequisiteProblem, stopKafka } from '../scripts/lib/kafka.mjs';
import { runCli } from './support/cli.js';
import { horizontalOverflow, launchBrowser, screenshot, viewReady, watchProblems } from './support/browser.js';
import { eventually, testEnvironment } from './support/environment.js';
import { call, startSystem, type RunningSystem } from './support/running-system.js';

interface DemoKeys {
  regulator: { key: string };
  clinic: { clinicId: string; name: string; key: string };
  outlier: { clinicId: string; name: string };
  signal: { pigmentId: string; batch: string; category: string };
}

// Functions given to page.evaluate run in the browser; the tests compile without the DOM library.
declare const document: any;

const PHONE = { width: 375, height: 800 };
const DESKTOP = { width: 1280, height: 900 };

/**
 * A database and a Kafka broker of the dashboard tests' own. The seeded network is large and network-wide (rates,
 * funnels, signals are computed over every clinic and pigment): in the shared test database and topics it would change
 * the figures other tests expect, and theirs would blur the planted signal and outlier here.
 */
async function infrastructureOfOurOwn(offset: number): Promise<{ databaseUrl: string; kafkaBrokers: string; stop(): Promise<void> }> {
  const shared = testEnvironment();
  const url = new URL(shared.databaseUrl);
  const name = `${url.pathname.slice(1)}_dashboard`;
  const admin = new pg.Client({ connectionString: shared.databaseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  url.pathname = `/${name}`;
  const dropDatabase = async () => {
    const client = new pg.Client({ connectionString: shared.databaseUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  };
  // Without Java (TEST_KAFKA_BROKERS pointing at a cluster) there is no broker of our own to start: share the cluster.
  if (kafkaPrerequisiteProblem()) return { databaseUrl: url.toString(), kafkaBrokers: shared.kafkaBrokers, stop: dropDatabase };
  const dataDir = path.join(shared.runDir, 'dashboard-kafka');
  await stopKafka({ dataDir });
  rmSync(dataDir, { recursive: true, force: true });
  const broker = await ensureKafka({
    dataDir,
    port: 13910 + offset,
    controllerPort: 13911 + offset,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  return {
    databaseUrl: url.toString(),
    kafkaBrokers: broker.brokers,
    stop: async () => {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase();
    },
  };
}

/**
 * The dashboard in headless Chromium, against the running apps and a network
 * seeded through the intake API by the `seed` command: the report form, the
 * clinic view counting a report sent through it, the regulator view showing
 * the planted signal and outlier, and the public view hiding small counts.
 * Screenshots of each view are kept as test artefacts.
 */
describe('the dashboard, in a real browser', () => {
  let system: RunningSystem;
  let browser: Browser;
  let keys: DemoKeys;
  let infrastructure: Awaited<ReturnType<typeof infrastructureOfOurOwn>> | undefined;

  beforeAll(async () => {
    const offset = Number(process.env.SMP_TEST_PORT_OFFSET ?? 0);
    const intake = `http://127.0.0.1:${13900 + offset}`;
    const insights = `http://127.0.0.1:${13901 + offset}`;
    infrastructure = await infrastructureOfOurOwn(offset);
    system = await startSystem(13900, {
      DATABASE_URL: infrastructure.databaseUrl,
      KAFKA_BROKERS: infrastructure.kafkaBrokers,
      CORS_ORIGINS: insights,
      INTAKE_PUBLIC_URL: intake,
    });
    const keysFile = path.join(testEnvironment().runDir, 'dashboard-demo-keys.json');
    const seeded = await runCli('seed', '--intake', system.intake, '--admin-key', system.adminKey, '--keys-file', keysFile);
    expect(seeded.output).toContain('demo keys: ');
    expect(seeded.code).toBe(0);
    keys = JSON.parse(readFileSync(keysFile, 'utf8')) as DemoKeys;

    // The browser checks start once the projector has applied the seed: the planted outlier and signal are in the read models.
    await eventually(
      async () => {
        const clinics = await call(`${system.insights}/v1/stats/clinics?category=infection&limit=1000`, { key: keys.regulator.key });
        const signals = await call(`${system.insights}/v1/signals?category=allergic_reaction&limit=1000`, { key: keys.regulator.key });
        const outlier = clinics.body?.rows?.find((row: { clinicId: string }) => row.clinicId === keys.outlier.clinicId);
        const signal = signals.body?.rows?.find((row: { pigmentId: string }) => row.pigmentId === keys.signal.pigmentId);
        return outlier?.band === 'above_99_8' && signal?.signals?.length === 3 ? true : undefined;
      },
      90_000,
      'the seeded outlier and signal to reach the read models',
    );
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await infrastructure?.stop();
  });

  async function open(context: BrowserContext, url: string): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(url);
    return { page, problems };
  }

  async function signIn(page: Page, key: string): Promise<void> {
    // By keyboard only: focus the field, type, press Enter.
    await page.focus('#api-key');
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#signed-in:not([hidden])');
    await viewReady(page);
  }

  async function fitsOnAPhone(page: Page, name: string): Promise<void> {
    await page.setViewportSize(PHONE);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, `${name}-phone`);
    await page.setViewportSize(DESKTOP);
  }

  /**
   * The clinic's rate-over-time chart next to its table: the axis's top, the highest rate or network rate in the table,
   * the widest 95% interval's upper bound, and whether the chart says that some intervals run off the top.
   */
  const rateChart = (page: Page) =>
    page.evaluate(() => {
      const section = document.querySelector('section[aria-labelledby="over-time"]');
      const chart = (globalThis as any).Chart.getChart(section.querySelector('canvas'));
      const numbers = (text: string) => (text.match(/\d[\d,]*(?:\.\d+)?/g) ?? []).map((n: string) => Number(n.replace(/,/g, '')));
      const rows = [...section.querySelectorAll('tbody tr')].map((row: any) => [...row.cells].map((cell: any) => cell.textContent));
      return {
        top: chart.scales.y.max as number,
        highestLine: Math.max(0, ...rows.flatMap((cells: string[]) => [...numbers(cells[3]!), ...numbers(cells[5]!)])),
        widestInterval: Math.max(0, ...rows.flatMap((cells: string[]) => numbers(cells[4]!).slice(1))),
        noteShown: chart.options.plugins.subtitle.display === true,
      };
    });

  /** Every rate fits under the axis; an interval is cut at the top only with the note that says so. */
  async function expectRatesFitTheirChart(page: Page): Promise<void> {
    const { top, highestLine, widestInterval, noteShown } = await rateChart(page);
    expect(top).toBeGreaterThanOrEqual(highestLine);
    expect(noteShown).toBe(top < widestInterval);
  }

  const scarringReports = (page: Page) =>
    page.evaluate(() => {
      const rows = [...document.querySelectorAll('section[aria-labelledby="all-categories"] tbody tr')];
      const row = rows.find((r) => r.cells[0]?.textContent === 'Scarring');
      return row ? Number(row.cells[2]!.textContent!.replace(/,/g, '')) : null;
    });

  it('lets the dashboard call intake from its origin and no other, and allows its own scripts only', async () => {
    const preflight = (origin: string) =>
      fetch(`${system.intake}/v1/reports`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
      });
    const allowed = await preflight(system.insights);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(system.insights);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    expect((await preflight('http://elsewhere.example')).headers.get('access-control-allow-origin')).toBeNull();

    const page = await fetch(`${system.insights}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = page.headers.get('content-security-policy')!;
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain(`connect-src 'self' ${system.intake}`);
    expect((await fetch(`${system.insights}/vendor/chart.js/chart.umd.min.js`)).status).toBe(200);
    expect((await fetch(`${system.insights}/vendor/chart.js/package.json`)).status).toBe(404);
    expect(await call(`${system.insights}/v1/me`, { key: keys.clinic.key })).toMatchObject({
      status: 200,
      body: { role: 'clinic', clinicId: keys.clinic.clinicId },
    });
    expect((await call(`${system.insights}/v1/me`)).status).toBe(401);
  });

  it('takes a report through the form, with errors beside their fields, and the clinic view counts it', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      // The clinic's figures before.
      const { page: clinicPage, problems: clinicProblems } = await open(context, `${system.insights}/`);
      await viewReady(clinicPage);
      await signIn(clinicPage, keys.clinic.key);
      expect(await clinicPage.textContent('main h1')).toContain(keys.clinic.name);
      await expectRatesFitTheirChart(clinicPage);
      const before = await scarringReports(clinicPage);
      expect(before).not.toBeNull();

      const { page, problems } = await open(context, `${system.insights}/report`);
      await page.waitForSelector('#report-form');
      await fitsOnAPhone(page, 'report-form');

      // Sent empty: intake's problem details, each message beside its own field.
      await page.getByRole('button', { name: 'Send the report' }).click();
      await page.waitForSelector('#form-errors [role="alert"]');
      for (const field of ['clinicId', 'effects[0].category', 'effects[0].onsetDate', 'effects[0].severity']) {
        const error = page.locator(`[data-field="${field}"] .field-error`);
        await expect(error.textContent()).resolves.toMatch(/\w/);
      }
      expect(await page.getAttribute('[data-field="clinicId"] input', 'aria-invalid')).toBe('true');
      await screenshot(page, 'report-form-errors');

      // A scarring report for last month's procedure at the demo clinic.
      const form = page.locator('#report-form');
      const now = new Date();
      const procedureDate = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 3)).toISOString().slice(0, 10);
      const onsetDate = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 20)).toISOString().slice(0, 10);
      await form.getByLabel('Clinic ID').fill(keys.clinic.clinicId);
      await form.getByLabel('Date of the procedure').fill(procedureDate);
      await form.getByLabel('What kind of complication').selectOption('scarring');
      await form.getByLabel('When did it start').fill(onsetDate);
      await form.getByLabel('Moderate: it affects daily life').check();
      await form.getByLabel('How is it now').selectOption('recovering');
      await page.getByRole('button', { name: 'Send the report' }).click();
      await page.waitForSelector('#receipt');
      expect(await page.textContent('#case-id')).toMatch(/^SMP-\d{4}-\d{6}$/);
      expect(await page.textContent('#follow-up-token')).toMatch(/^[\w-]{32}$/);
      expect(await page.textContent('#receipt')).toContain('What happens next');
      expect(await page.locator('.field-error').count()).toBe(0);
      await screenshot(page, 'report-receipt');

      // What happened next, with the token just given: a new version of the same case.
      const token = (await page.textContent('#follow-up-token'))!;
      await page.getByLabel('Follow-up token').fill(token);
      await page.locator('#follow-up-form').getByLabel('How is it today').selectOption('recovered');
      await page.getByRole('button', { name: 'Add to my report' }).click();
      await page.waitForSelector('#follow-up-form .notice.success');
      expect(await page.textContent('#follow-up-form .notice.success')).toMatch(/version 2/);
      expect(problems.filter((p) => !p.includes('/v1/reports'))).toEqual([]);

      // The clinic view counts it once the projector has it (reloading, as a user would).
      await eventually(
        async () => {
          await clinicPage.reload();
          await viewReady(clinicPage);
          return (await scarringReports(clinicPage)) === before! + 1 ? true : undefined;
        },
        30_000,
        'the clinic view to count the new report',
      );
      await clinicPage.selectOption('select[name="category"]', 'scarring');
      await viewReady(clinicPage);
      await expectRatesFitTheirChart(clinicPage);
      await screenshot(clinicPage, 'clinic-view');

      // Procedures from a CSV file: each bad row named by its line, nothing recorded; then a good file.
      const csv = (lines: string[]) => ({ name: 'procedures.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
      const header = 'date,pigmentId,count,sessionNumber';
      await clinicPage.setInputFiles(
        '#procedures-csv',
        csv([
          header,
          `${procedureDate},${keys.signal.pigmentId},3,1`,
          `${procedureDate},${keys.signal.pigmentId},0,`,
          `2026-02-30,${keys.signal.pigmentId},2,`,
        ]),
      );
      await clinicPage.getByRole('button', { name: 'Upload and record' }).click();
      await clinicPage.waitForSelector('section[aria-labelledby="record-procedures"] [role="alert"]');
      const rejected = await clinicPage.evaluate(() =>
        [...document.querySelectorAll('section[aria-labelledby="record-procedures"] tbody tr')].map((row: any) => [
          row.cells[0].textContent,
          row.cells[1].textContent,
        ]),
      );
      expect(rejected).toEqual(
        expect.arrayContaining([
          ['3', 'count'],
          ['4', 'date'],
        ]),
      );
      expect(rejected.some(([line]) => line === '2')).toBe(false);
      await screenshot(clinicPage, 'clinic-procedures-rejected');
      await clinicPage.setInputFiles(
        '#procedures-csv',
        csv([header, `${procedureDate},${keys.signal.pigmentId},3,1`, `${onsetDate},${keys.signal.pigmentId},2,`]),
      );
      await clinicPage.getByRole('button', { name: 'Upload and record' }).click();
      await clinicPage.waitForSelector('section[aria-labelledby="record-procedures"] .notice.success');
      expect(await clinicPage.textContent('section[aria-labelledby="record-procedures"] .notice.success')).toContain(
        'Recorded all 2 lines',
      );
      await fitsOnAPhone(clinicPage, 'clinic-view');
      // The rejected CSV upload's 400 is the one failed request expected.
      expect(clinicProblems.filter((problem) => !problem.includes('/procedures'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the regulator the seeded outlier on the funnel and the seeded signal, sortable, and downloads what is on screen', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    try {
      const { page, problems } = await open(context, `${system.insights}/`);
      await viewReady(page);
      await signIn(page, keys.regulator.key);

      await page.selectOption('select[name="funnel-category"]', 'infection');
      await viewReady(page);
      const outliers = await page.locator('[data-testid="outliers"] li[data-band="above_99_8"]').allTextContents();
      expect(outliers.some((text) => text.includes(keys.outlier.name))).toBe(true);

      // The planted batch is listed with every criterion met (other tests' pigments share this database, so not necessarily first).
      const signalRows = () =>
        page.evaluate(() =>
          [...document.querySelectorAll('[data-testid="signals"] tbody tr')].map((row: any) =>
            [...row.cells].map((cell: any) => cell.textContent),
          ),
        );
      const planted = (await signalRows()).find((cells) => cells[0] === keys.signal.batch && cells.includes('Allergic reaction'));
      expect(planted?.[planted.length - 1]).toBe('Evans (PRR), ROR, IC');

      // Its trend: the batch's allergic-reaction rate by month.
      await page.selectOption('select[name="trend-batch"]', keys.signal.pigmentId);
      await page.selectOption('select[name="trend-category"]', 'allergic_reaction');
      await viewReady(page);
      const trendCaption = await page.textContent('section[aria-labelledby="batch-trend"] caption');
      expect(trendCaption).toContain(keys.signal.batch);
      expect(await page.locator('section[aria-labelledby="batch-trend"] tbody tr').count()).toBeGreaterThan(0);

      // Sortable by PRR (and back), keyboard-operable buttons in the headers.
      const prr = page.locator('[data-testid="signals"] th button', { hasText: 'PRR' }).first();
      await prr.focus();
      await page.keyboard.press('Enter');
      await expect(page.getAttribute('[data-testid="signals"] th[aria-sort]', 'aria-sort')).resolves.toBe('descending');
      const prrValues = await page.evaluate(() => {
        const table = document.querySelector('[data-testid="signals"] table')!;
        const column = [...table.tHead!.rows[0]!.cells].findIndex(
          (cell) => cell.textContent!.startsWith('PRR') && !cell.textContent!.includes('CI'),
        );
        return [...table.tBodies[0]!.rows].map((row) => Number(row.cells[column]!.textContent)).filter((value) => !Number.isNaN(value));
      });
      expect(prrValues).toEqual([...prrValues].sort((a, b) => b - a));
      await screenshot(page, 'regulator-view');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download CSV of this view' }).click(),
      ]);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv).toContain(keys.outlier.name);
      expect(csv).toContain(keys.signal.batch);
      expect(csv).toContain('Evans (PRR), ROR, IC');

      await fitsOnAPhone(page, 'regulator-view');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the public suppressed figures: counts from 1 to 10 hidden, with the reasons explained', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const { page, problems } = await open(context, `${system.insights}/`);
      await viewReady(page);
      expect(await page.textContent('main h1')).toContain('complication rates');
      expect(await page.textContent('main')).toContain('Why some numbers are hidden');
      expect(await page.textContent('main')).toMatch(/per 1,000 procedures/);
      // The figures count complications, not reports: the page says how a report naming several is counted.
      expect(await page.textContent('main')).toContain(
        'A report naming two complications (an infection and scarring, say) counts once for each.',
      );

      const cells = await page.evaluate(() =>
        [...document.querySelectorAll('main table')].flatMap((table) => {
          const headers = [...table.tHead!.rows[0]!.cells].map((cell) => cell.textContent!);
          return [...table.tBodies[0]!.rows].flatMap((row) =>
            [...row.cells].map((cell, index) => ({
              column: headers[index]!,
              text: cell.textContent!,
              suppressed: cell.querySelector('[data-suppressed]')?.getAttribute('data-suppressed') ?? null,
            })),
          );
        }),
      );
      const counts = cells.filter(
        (cell) => !['Clinic', 'Country', 'Manufacturer', 'Product', 'Per 1,000 procedures'].includes(cell.column),
      );
      expect(counts.length).toBeGreaterThan(0);
      expect(counts.filter((cell) => cell.suppressed === 'small_count').length).toBeGreaterThan(0);
      // Every count shown is 0 or above 10; the rest say hidden.
      for (const cell of counts) {
        if (cell.suppressed) expect(cell.text).toMatch(/^hidden/);
        else {
          const value = Number(cell.text.replace(/,/g, ''));
          expect(value === 0 || value > 10).toBe(true);
        }
      }
      await screenshot(page, 'public-view');
      await fitsOnAPhone(page, 'public-view');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
