import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { testEnvironment } from './environment.js';

/**
 * The reliability harness: a steady stream of reports, follow-ups,
 * nullifications and procedures with a client-side ledger of everything that
 * got a 201; a check that the ledger and the intake's source tables match
 * exactly; `verify` as the oracle for the read models; and the run's figures
 * (scenarios, faults, requests, fuzz cases, probes) appended to a JSON-lines
 * file in the run's log directory and totalled at the end of each spec.
 *
 * `npm run chaos` sets SMP_CHAOS=1: the same scenarios with longer loads and
 * more fuzz cases.
 */
export const CHAOS = process.env.SMP_CHAOS === '1';

/** `quick` in `npm test`, `chaos` under `npm run chaos`. */
export function scaled(quick: number, chaos: number): number {
  return CHAOS ? chaos : quick;
}

const CATEGORIES = ['infection', 'inflammation', 'discoloration', 'pigment_migration', 'scarring', 'allergic_reaction', 'other'];

export interface Target {
  intake: string;
}

/** What the client saw: every accepted write, and every request that was turned away. */
export class Ledger {
  /** caseId → the highest version a 201 answered with. */
  readonly cases = new Map<string, number>();
  readonly nullified = new Set<string>();
  readonly procedureRefs = new Set<string>();
  accepted = 0;
  rejected = 0;
  /** Requests whose outcome the client never learnt (connection cut): neither accepted nor rejected. */
  unknown = 0;
  readonly unexpected: string[] = [];

  acceptCase(caseId: string, version: number): void {
    this.cases.set(caseId, Math.max(version, this.cases.get(caseId) ?? 0));
  }

  get caseIds(): string[] {
    return [...this.cases.keys()].sort();
  }
}

export interface WorkloadOptions {
  /** Requests in flight at once. */
  concurrency?: number;
  /**
   * Statuses that are an acceptable refusal at this moment (e.g. 503 while
   * Postgres is down); any other non-2xx is a failure of the test.
   */
  tolerate?: (status: number) => boolean;
  /** Whether a refused request should be tried again, the way a well-behaved client honours Retry-After. */
  retry?: boolean;
}

/**
 * A clinic's stream of writes. Reports for `clinicId` (with a pigment), every
 * fourth followed up, every ninth nullified, every fifth accompanied by
 * procedures. Everything accepted is in `ledger`.
 */
export class Workload {
  readonly ledger = new Ledger();
  private n = 0;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly target: Target,
    private readonly clinic: { clinicId: string; key: string },
    private readonly pigmentId: string,
    private readonly options: WorkloadOptions = {},
  ) {}

  /** `reports` reports and their follow-ups, `concurrency` at a time; resolves when all are answered. */
  async run(reports: number): Promise<void> {
    const concurrency = this.options.concurrency ?? 10;
    for (let i = 0; i < reports; i += concurrency) {
      await Promise.all(Array.from({ length: Math.min(concurrency, reports - i) }, () => this.one(this.n++)));
    }
  }

  /** Keeps the stream going in the background until stop(). */
  start(): void {
    const concurrency = this.options.concurrency ?? 4;
    this.stopping = false;
    this.running = (async () => {
      while (!this.stopping) {
        await Promise.all(Array.from({ length: concurrency }, () => this.one(this.n++)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async one(n: number): Promise<void> {
    const month = 1 + (n % 6);
    const report = await this.send(`/v1/reports`, {
      clinicId: this.clinic.clinicId,
      pigmentId: this.pigmentId,
      procedureDate: `2026-0${month}-1${n % 9}`,
      reporter: { type: 'clinic' },
      effects: [
        { category: CATEGORIES[n % 7], onsetDate: `2026-0${month}-2${n % 9}`, severity: 'mild' },
        { category: CATEGORIES[(n + 3) % 7], onsetDate: `2026-0${month}-2${n % 9}`, severity: 'moderate' },
      ],
    });
    if (!report) return;
    const caseId = report.caseId as string;
    this.ledger.acceptCase(caseId, report.version);
    if (n % 4 === 0) {
      const followUp = await this.send(`/v1/reports/${caseId}/follow-ups`, { withdrawCategories: [CATEGORIES[n % 7]] });
      if (followUp) this.ledger.acceptCase(caseId, followUp.version);
    }
    if (n % 9 === 0) {
      const nullified = await this.send(`/v1/reports/${caseId}/nullification`, { reason: 'erroneous' });
      if (nullified) {
        this.ledger.acceptCase(caseId, nullified.version);
        this.ledger.nullified.add(caseId);
      }
    }
    if (n % 5 === 0) {
      const recorded = await this.send(`/v1/clinics/${this.clinic.clinicId}/procedures`, {
        procedures: [{ date: `2026-0${month}-01`, pigmentId: this.pigmentId, count: 1 + (n % 3) }],
      });
      for (const procedure of recorded?.procedures ?? []) this.ledger.procedureRefs.add(procedure.procedureRef);
    }
  }

  /** One write; the parsed body of a 2xx, or undefined when it was refused (and not retried to success). */
  private async send(route: string, body: unknown): Promise<any> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.target.intake}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.clinic.key}` },
          body: JSON.stringify(body),
        });
      } catch (error) {
        this.ledger.unknown++;
        this.ledger.unexpected.push(`${route}: ${(error as Error).message}`);
        return undefined;
      }
      const text = await response.text();
      if (response.status === 201 || response.status === 200) {
        this.ledger.accepted++;
        return JSON.parse(text);
      }
      this.ledger.rejected++;
      const problem = response.headers.get('content-type')?.startsWith('application/problem+json');
      if (!this.options.tolerate?.(response.status) || !problem) {
        this.ledger.unexpected.push(`${route}: ${response.status} ${response.headers.get('content-type')} ${text.slice(0, 300)}`);
        return undefined;
      }
      if (response.status === 503 && !(Number(response.headers.get('retry-after')) > 0)) {
        this.ledger.unexpected.push(`${route}: 503 without Retry-After`);
      }
      if (!this.options.retry || this.stopping || attempt >= 200) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * The ledger against the source tables: every case that got a 201 is there
 * exactly once, at the version the last 201 reported, with every version row;
 * nothing is there that the client was not told about (no partial or phantom
 * write); nullifications and procedures likewise. Returns how many accepted
 * writes are missing (lost) — the caller's expectations fail on any.
 */
export async function expectLedgerInDatabase(clinicId: string, ledger: Ledger, databaseUrl = testEnvironment().databaseUrl) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const cases = (
      await db.query(
        `SELECT c.case_id, c.version, c.nullified_at IS NOT NULL AS nullified,
                (SELECT count(*)::int FROM intake.case_versions v WHERE v.case_id = c.case_id) AS versions
           FROM intake.cases c WHERE c.clinic_id = $1 ORDER BY c.case_id`,
        [clinicId],
      )
    ).rows as Array<{ case_id: string; version: number; nullified: boolean; versions: number }>;
    const procedures = (await db.query(`SELECT procedure_ref FROM intake.procedures WHERE clinic_id = $1 ORDER BY 1`, [clinicId])).rows;

    const stored = new Set(cases.map((row) => row.case_id));
    const lost = ledger.caseIds.filter((caseId) => !stored.has(caseId));
    const phantom = cases.filter((row) => !ledger.cases.has(row.case_id)).map((row) => row.case_id);
    expect({ lost, phantom }).toEqual({ lost: [], phantom: [] });
    expect(Object.fromEntries(cases.map((row) => [row.case_id, row.version]))).toEqual(Object.fromEntries(ledger.cases));
    expect(cases.filter((row) => row.versions !== row.version).map((row) => row.case_id)).toEqual([]);
    expect(cases.filter((row) => row.nullified).map((row) => row.case_id)).toEqual([...ledger.nullified].sort());
    expect(procedures.map((row: { procedure_ref: string }) => row.procedure_ref)).toEqual([...ledger.procedureRefs].sort());
    return { lost: lost.length };
  } finally {
    await db.end();
  }
}

/** `verify --wait-seconds` against a database (the run's by default); expects 0 differences and returns how many cells were over-counted. */
export async function expectVerified(
  env: { databaseUrl?: string; kafkaBrokers?: string } = {},
  waitSeconds = 90,
): Promise<{ doubleCounted: number }> {
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.resolve('dist/apps/cli/src/main.js'), 'verify', '--wait-seconds', String(waitSeconds)],
      {
        env: {
          ...process.env,
          DATABASE_URL: env.databaseUrl ?? testEnvironment().databaseUrl,
          KAFKA_BROKERS: env.kafkaBrokers ?? testEnvironment().kafkaBrokers,
        },
        timeout: (waitSeconds + 60) * 1000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
  // "... expected reports=2 serious=0, read model has reports=3 serious=0": the read model above the source is a double count.
  const doubleCounted = output
    .split('\n')
    .map((line) => /: expected (.*), read model has (.*)$/.exec(line))
    .filter((match) => {
      if (!match) return false;
      const [expected, actual] = [match[1], match[2]].map((part) => [...part.matchAll(/=(-?\d+)/g)].map((m) => Number(m[1])));
      return actual.some((value, index) => value > (expected[index] ?? 0));
    }).length;
  expect(output).toContain('verify: 0 differences');
  expect(code).toBe(0);
  return { doubleCounted };
}

/** Per-spec contribution to the run's reliability figures. */
export interface Figures {
  scenarios?: number;
  faults?: number;
  accepted?: number;
  rejected?: number;
  lost?: number;
  doubleCounted?: number;
  fuzzCases?: number;
  probes?: number;
  poisonEvents?: number;
}

const FIGURE_NAMES: Array<[keyof Figures, string]> = [
  ['scenarios', 'scenarios run'],
  ['faults', 'faults injected'],
  ['accepted', 'requests accepted'],
  ['rejected', 'requests rejected'],
  ['lost', 'requests lost'],
  ['doubleCounted', 'events double-counted'],
  ['fuzzCases', 'fuzz cases tried'],
  ['probes', 'probes tried'],
  ['poisonEvents', 'poison events dead-lettered'],
];

/** One file per run (the run's database name is unique), in the run's log directory. */
function figuresFile(): string {
  const { databaseUrl, logDir } = testEnvironment();
  const run = new URL(databaseUrl).pathname.slice(1) || 'run';
  return path.join(logDir, `reliability-figures-${run}.jsonl`);
}

export function recordFigures(spec: string, scenario: string, figures: Figures): void {
  const file = figuresFile();
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, JSON.stringify({ spec, scenario, at: new Date().toISOString(), ...figures }) + '\n');
}

/** The run's figures so far, totalled. */
export function figureTotals(): Required<Figures> & { specs: string[] } {
  const totals = Object.fromEntries(FIGURE_NAMES.map(([key]) => [key, 0])) as Required<Figures>;
  const specs = new Set<string>();
  const file = figuresFile();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as Figures & { spec: string };
      specs.add(entry.spec);
      for (const [key] of FIGURE_NAMES) totals[key] += entry[key] ?? 0;
    }
  }
  return { ...totals, specs: [...specs] };
}

/** Prints the totals so far (the last spec of a run prints the run's figures); straight to stdout, past jest's console. */
export function printFigureTotals(): void {
  const totals = figureTotals();
  const width = Math.max(...FIGURE_NAMES.map(([, name]) => name.length));
  const lines = FIGURE_NAMES.map(([key, name]) => `  ${name.padEnd(width)}  ${totals[key].toLocaleString('en-GB')}`);
  process.stdout.write(
    `\nReliability figures of this run so far (${totals.specs.length} spec(s): ${totals.specs.join(', ')}; ${figuresFile()}):\n${lines.join('\n')}\n\n`,
  );
}
