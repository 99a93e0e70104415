import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { ApiKeyStore } from '@smp/auth';
import { CommonConfig } from '@smp/config';
import { todayUtc } from '@smp/domain';
import { dataSourceOptions } from '@smp/persistence';
import { IntakeClient } from '../seed/intake-client.js';
import { DEFAULT_SEED_OPTIONS, MAX_CLINICS, MAX_MONTHS, MIN_CLINICS, MIN_MONTHS, planNetwork } from '../seed/network-plan.js';
import { NetworkSeeder, type DemoKeys } from '../seed/network-seeder.js';

interface SeedCommandOptions {
  intake?: string;
  adminKey?: string;
  clinics: number;
  months: number;
  scale: number;
  seed: number;
  concurrency: number;
  keysFile: string;
  ifEmpty?: boolean;
}

/**
 * `seed`: a realistic synthetic network through the real intake API (clinics
 * in several countries, pigment batches, procedures, reports, follow-ups, a
 * few nullified duplicates, one allergy signal and one infection outlier).
 * Deterministic for a given --seed and day. Writes the demo keys to
 * --keys-file and prints `demo keys: <file>` as soon as they exist, before the
 * procedures and reports are sent.
 */
@Command({
  name: 'seed',
  description: 'seed a realistic demo network through the intake API: seed [--clinics 12] [--months 12] [--scale 1] [--seed 1]',
})
export class SeedCommand extends CommandRunner {
  constructor(private readonly config: CommonConfig) {
    super();
  }

  async run(_args: string[], options: SeedCommandOptions): Promise<void> {
    const keysFile = path.resolve(options.keysFile);
    if (options.ifEmpty && (await this.alreadySeeded(keysFile))) return;

    const intakeUrl = (options.intake ?? `http://127.0.0.1:${process.env.INTAKE_PORT ?? 3000}`).replace(/\/$/, '');
    const adminKey = options.adminKey ?? process.env.SMP_ADMIN_KEY ?? localAdminKey();
    const plan = planNetwork({
      clinics: options.clinics,
      months: options.months,
      scale: options.scale,
      seed: options.seed,
      today: todayUtc(),
    });
    const startedAt = Date.now();
    const bar = new SingleBar({ format: 'seed [{bar}] {percentage}% | {value}/{total} requests | {stage}', hideCursor: true });
    let barStarted = false;
    const summary = await new NetworkSeeder(new IntakeClient(intakeUrl, adminKey), options.concurrency)
      .seed(plan, {
        onProgress: (done, total, stage) => {
          if (!barStarted) {
            bar.start(total, done, { stage });
            barStarted = true;
          } else bar.update(done, { stage });
        },
        onKeys: (keys) => {
          writeKeys(keysFile, keys);
          // Printed before the bar moves on; `npm start` waits for this line.
          process.stdout.write(`${barStarted && process.stderr.isTTY ? '\n' : ''}demo keys: ${keysFile}\n`);
        },
      })
      .finally(() => bar.stop());
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    console.log(
      `seeded: ${summary.clinics} clinics, ${summary.pigments} pigment batches, ${summary.procedures} procedures, ` +
        `${summary.cases} cases (${summary.followUps} follow-ups, ${summary.nullified} nullified duplicates) in ${seconds} s`,
    );
  }

  /** A database with clinics is left alone; its demo keys are announced again when the keys file still fits it. */
  private async alreadySeeded(keysFile: string): Promise<boolean> {
    const db = new DataSource(dataSourceOptions(this.config.DATABASE_URL, null, { poolSize: 1, applicationName: 'cli-seed' }));
    await db.initialize();
    try {
      // No intake schema yet (intake has not started on this database): nothing there, so not seeded.
      const [{ present }] = await db.query(`SELECT to_regclass('intake.clinics') IS NOT NULL AS present`);
      if (!present) return false;
      const [{ seeded }] = await db.query(`SELECT EXISTS (SELECT 1 FROM intake.clinics) AS seeded`);
      if (!seeded) return false;
      const keys = readKeys(keysFile);
      const valid = keys !== null && (await new ApiKeyStore(db).principalFor(keys.regulator.key)) !== null;
      console.log(
        valid
          ? `seed: the database already has clinics; nothing to do.\ndemo keys: ${keysFile}`
          : `seed: the database already has clinics (not from the keys in ${keysFile}); nothing to do.`,
      );
      return true;
    } finally {
      await db.destroy();
    }
  }

  @Option({ flags: '--intake <url>', description: 'intake base URL (default http://127.0.0.1:$INTAKE_PORT, 3000)' })
  parseIntake(value: string): string {
    if (!/^https?:\/\/[^\s/]+(\/.*)?$/.test(value)) throw new Error('--intake must be an http(s) URL such as http://127.0.0.1:3000');
    return value;
  }

  @Option({ flags: '--admin-key <key>', description: 'an admin API key (default $SMP_ADMIN_KEY, then .cache/admin-key)' })
  parseAdminKey(value: string): string {
    return value;
  }

  @Option({ flags: '--clinics <n>', description: `clinics, ${MIN_CLINICS} to ${MAX_CLINICS}`, defaultValue: DEFAULT_SEED_OPTIONS.clinics })
  parseClinics(value: string): number {
    return wholeNumber('--clinics', value, MIN_CLINICS, MAX_CLINICS);
  }

  @Option({
    flags: '--months <n>',
    description: `months of history up to today, ${MIN_MONTHS} to ${MAX_MONTHS}`,
    defaultValue: DEFAULT_SEED_OPTIONS.months,
  })
  parseMonths(value: string): number {
    return wholeNumber('--months', value, MIN_MONTHS, MAX_MONTHS);
  }

  @Option({
    flags: '--scale <factor>',
    description: 'multiplies the procedure volumes, 0.5 to 100',
    defaultValue: DEFAULT_SEED_OPTIONS.scale,
  })
  parseScale(value: string): number {
    const scale = Number(value);
    if (!(scale >= 0.5 && scale <= 100)) throw new Error('--scale must be a number from 0.5 to 100');
    return scale;
  }

  @Option({
    flags: '--seed <n>',
    description: 'random seed: the same seed and day give the same network',
    defaultValue: DEFAULT_SEED_OPTIONS.seed,
  })
  parseSeed(value: string): number {
    return wholeNumber('--seed', value, 0, 2 ** 32 - 1);
  }

  @Option({ flags: '--concurrency <n>', description: 'requests in flight', defaultValue: 8 })
  parseConcurrency(value: string): number {
    return wholeNumber('--concurrency', value, 1, 64);
  }

  @Option({ flags: '--keys-file <path>', description: 'where to write the demo keys', defaultValue: '.cache/demo-keys.json' })
  parseKeysFile(value: string): string {
    return value;
  }

  @Option({ flags: '--if-empty', description: 'do nothing when the database already has clinics' })
  parseIfEmpty(): boolean {
    return true;
  }
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

function writeKeys(file: string, keys: DemoKeys): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function readKeys(file: string): DemoKeys | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoKeys;
  } catch {
    return null;
  }
}

/** The key `npm start` keeps in .cache/admin-key. */
function localAdminKey(): string {
  const file = path.resolve('.cache/admin-key');
  if (!existsSync(file))
    throw new Error('no admin key: pass --admin-key, set SMP_ADMIN_KEY, or run `npm start` once (it writes .cache/admin-key)');
  return readFileSync(file, 'utf8').trim();
}
