import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { formatCaseId, type CaseEffect, type SeriousReason } from '@smp/domain';
import { AppMetrics } from '@smp/observability';
import { GroupCommit } from '@smp/persistence';
import { OutboxRepository } from '../outbox/outbox.repository.js';
import { caseVersionEvents, type CaseVersionState } from './case-events.js';

/** The facts of a case version: what statistics and events may use. No personal data. */
export interface CaseFacts {
  clinicId: string;
  pigmentId?: string;
  procedureDate: string;
  effects: CaseEffect[];
  [detail: string]: unknown;
}

/** Personal data of a case version: stored apart, never published, never logged. */
export interface CasePersonalData {
  contact: { email?: string; phone?: string } | null;
  /** The reporter's narrative, or the medical information a follow-up brought. */
  narrative: string | null;
  effectDescriptions: Array<string | null>;
}

export interface Classification {
  serious: boolean;
  seriousReasons: SeriousReason[];
  reportingDueBy: string | null;
}

export interface NewCase extends Classification {
  facts: CaseFacts;
  personal: CasePersonalData;
  followUpTokenHash: Buffer;
}

export interface StoredCase extends Classification {
  caseId: string;
  version: number;
  facts: CaseFacts;
  receivedOn: string;
  nullified: boolean;
  followUpTokenHash: Buffer | null;
}

export interface NewVersion extends Classification {
  kind: 'follow_up' | 'nullification';
  facts: CaseFacts;
  personal: CasePersonalData | null;
  requestHash: Buffer;
  nullificationReason?: string;
}

export class StaleCaseVersionError extends Error {}

/** An Idempotency-Key: the first request's hash and answer are kept with the case, in its transaction. */
export interface IdempotencyClaim {
  key: string;
  requestHash: Buffer;
}

export type OpenCaseOutcome<R> = { kind: 'opened'; response: R } | { kind: 'replayed'; requestHash: Buffer; response: R };

const IDEMPOTENCY_RETENTION = '24 hours';

/** At most this many cases in one group-commit statement. */
const MAX_GROUP = 200;
/** Groups written at once: while one waits for its commit, the next one fills and goes. */
const GROUPS_IN_FLIGHT = 2;

/**
 * The write side's source of truth. Every version of a case is kept; each is
 * written with its outbox events in one transaction: either the client gets
 * an answer and the events will follow, or nothing was stored.
 */
@Injectable()
export class CaseRepository {
  /**
   * Group commit: the openings queued while the groups in flight were being written go into the database
   * together, in one statement (one transaction, one WAL flush) instead of one transaction each. Nobody
   * gets an answer before the statement that stores their case, version, personal data, side effects
   * and outbox rows committed; a group that fails is written case by case, so one bad request fails alone.
   */
  private readonly openings = new GroupCommit<NewCase, string>({
    commit: (inputs) => this.insertGroup(inputs),
    alone: async (input) => (await this.openCaseAlone(input, ({ caseId }) => caseId)).response,
    maxGroup: MAX_GROUP,
    inFlight: GROUPS_IN_FLIGHT,
  });

  /** How many cases each group-commit statement wrote: under load, many; one at a time when requests come one by one. */
  private readonly groupSizes;

  constructor(
    private readonly db: DataSource,
    private readonly outbox: OutboxRepository,
    metrics: AppMetrics,
  ) {
    this.groupSizes = metrics.histogram('group_commit_cases', {
      help: 'Cases written by one group-commit statement (one transaction, one WAL flush)',
      buckets: [1, 2, 5, 10, 20, 50, 100, MAX_GROUP],
    });
  }

  /**
   * Opens a case and builds the client's answer once it is committed. With an
   * idempotency claim, the case has a transaction of its own, which also keeps
   * the answer: a key seen before returns the first answer instead (a concurrent
   * request with the same key waits for the first to commit).
   */
  async openCase<R>(
    input: NewCase,
    respond: (opened: { caseId: string; version: number }) => R,
    idempotency?: IdempotencyClaim,
  ): Promise<OpenCaseOutcome<R>> {
    // A claimed Idempotency-Key must be checked and answered in the case's own transaction.
    if (idempotency) return this.openCaseAlone(input, respond, idempotency);
    const caseId = await this.openings.submit(input);
    return { kind: 'opened', response: respond({ caseId, version: 1 }) };
  }

  /** Numbers the cases, then writes all of them with everything they bring in one statement; returns the case ids. */
  private async insertGroup(inputs: readonly NewCase[]): Promise<string[]> {
    this.groupSizes.observe(inputs.length);
    const [{ year, sequences }]: Array<{ year: number; sequences: number[] }> = await this.db.query(
      `SELECT extract(year FROM now())::int AS year, array(SELECT nextval('intake.case_number_seq')::int FROM generate_series(1, $1)) AS sequences`,
      [inputs.length],
    );
    const caseIds = sequences.map((sequence) => formatCaseId(year, sequence));
    const rows = inputs.map((input, index) => {
      const { facts, personal } = input;
      const caseId = caseIds[index];
      const events = caseVersionEvents(versionState(caseId, 1, 'submission', input), []);
      return {
        case_id: caseId,
        clinic_id: facts.clinicId,
        pigment_id: facts.pigmentId ?? null,
        procedure_date: facts.procedureDate,
        serious: input.serious,
        serious_reasons: input.seriousReasons,
        reporting_due_by: input.reportingDueBy,
        follow_up_token_hash: input.followUpTokenHash.toString('hex'),
        report: facts,
        contact: personal.contact,
        narrative: personal.narrative,
        effect_descriptions: personal.effectDescriptions,
        effects: facts.effects.map((effect) => ({
          category: effect.category,
          severity: effect.severity,
          onset_date: effect.onsetDate,
          persistent: effect.persistent ?? false,
        })),
        events: events.map((event) => ({ event_id: event.id, topic: event.topic, event_type: event.type, data: event.data })),
      };
    });
    // One statement is atomic: every row of every case, or none. Its CTEs all run; the foreign keys are
    // checked at its end, when the parents written beside their children exist.
    await this.db.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
           case_id text, clinic_id text, pigment_id text, procedure_date date, serious boolean, serious_reasons text[],
           reporting_due_by date, follow_up_token_hash text, report jsonb, contact jsonb, narrative text,
           effect_descriptions jsonb, effects jsonb, events jsonb)),
       cases AS (
         INSERT INTO intake.cases
           (case_id, version, clinic_id, pigment_id, procedure_date, serious, serious_reasons, reporting_due_by, follow_up_token_hash)
         SELECT case_id, 1, clinic_id, pigment_id, procedure_date, serious, serious_reasons, reporting_due_by,
                decode(follow_up_token_hash, 'hex')
           FROM input),
       versions AS (
         INSERT INTO intake.case_versions (case_id, version, kind, report, request_hash, serious, serious_reasons, reporting_due_by)
         SELECT case_id, 1, 'submission', report, NULL, serious, serious_reasons, reporting_due_by FROM input),
       personal AS (
         INSERT INTO intake.case_personal_data (case_id, version, contact, narrative, effect_descriptions)
         SELECT case_id, 1, contact, narrative, effect_descriptions FROM input),
       effects AS (
         INSERT INTO intake.case_side_effects (case_id, version, category, severity, onset_date, persistent)
         SELECT i.case_id, 1, e.category, e.severity, e.onset_date, e.persistent
           FROM input i, jsonb_to_recordset(i.effects) AS e(category text, severity text, onset_date date, persistent boolean))
       INSERT INTO intake.outbox (event_id, topic, message_key, event_type, subject, occurred_at, data)
       SELECT e.event_id, e.topic, i.case_id, e.event_type, i.case_id, now(), e.data
         FROM input i, jsonb_to_recordset(i.events) AS e(event_id uuid, topic text, event_type text, data jsonb)`,
      [JSON.stringify(rows)],
    );
    return caseIds;
  }

  /** Opens one case in a transaction of its own: with an idempotency claim, or when its group failed. */
  private async openCaseAlone<R>(
    input: NewCase,
    respond: (opened: { caseId: string; version: number }) => R,
    idempotency?: IdempotencyClaim,
  ): Promise<OpenCaseOutcome<R>> {
    const { facts } = input;
    if (idempotency) {
      await this.db.query(`DELETE FROM intake.idempotency_keys WHERE created_at < now() - interval '${IDEMPOTENCY_RETENTION}'`);
    }
    return this.db.transaction(async (tx) => {
      if (idempotency) {
        const claimed = await tx.query(
          `INSERT INTO intake.idempotency_keys (scope, key, request_hash) VALUES ('reports', $1, $2) ON CONFLICT DO NOTHING RETURNING key`,
          [idempotency.key, idempotency.requestHash],
        );
        if (claimed.length === 0) {
          const [first] = await tx.query(
            `SELECT request_hash, response FROM intake.idempotency_keys WHERE scope = 'reports' AND key = $1`,
            [idempotency.key],
          );
          return { kind: 'replayed', requestHash: first.request_hash, response: first.response as R };
        }
      }
      const [{ sequence, year }] = await tx.query(
        `SELECT nextval('intake.case_number_seq')::int AS sequence, extract(year FROM now())::int AS year`,
      );
      const caseId = formatCaseId(year, sequence);
      await tx.query(
        `INSERT INTO intake.cases
           (case_id, version, clinic_id, pigment_id, procedure_date, serious, serious_reasons, reporting_due_by, follow_up_token_hash)
         VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          caseId,
          facts.clinicId,
          facts.pigmentId ?? null,
          facts.procedureDate,
          input.serious,
          input.seriousReasons,
          input.reportingDueBy,
          input.followUpTokenHash,
        ],
      );
      await this.writeVersion(tx, caseId, 1, 'submission', input, input.personal, null, []);
      const response = respond({ caseId, version: 1 });
      if (idempotency) {
        await tx.query(`UPDATE intake.idempotency_keys SET response = $2 WHERE scope = 'reports' AND key = $1`, [
          idempotency.key,
          JSON.stringify(response),
        ]);
      }
      return { kind: 'opened', response };
    });
  }

  async find(caseId: string): Promise<StoredCase | null> {
    return this.load(this.db.manager, caseId, false);
  }

  /** The version a request with this hash already made, if any. */
  async versionMadeBy(caseId: string, requestHash: Buffer): Promise<number | null> {
    const [row] = await this.db.query(`SELECT max(version) AS version FROM intake.case_versions WHERE case_id = $1 AND request_hash = $2`, [
      caseId,
      requestHash,
    ]);
    return row?.version ?? null;
  }

  /** Appends version `expected + 1`; fails with StaleCaseVersionError when another version got there first. */
  async appendVersion(caseId: string, expected: number, input: NewVersion): Promise<number> {
    return this.db.transaction(async (tx) => {
      const current = await this.load(tx, caseId, true);
      if (!current || current.version !== expected) throw new StaleCaseVersionError(caseId);
      const version = expected + 1;
      await tx.query(
        `UPDATE intake.cases SET version = $2, serious = $3, serious_reasons = $4, reporting_due_by = $5, updated_at = now(),
                nullified_at = CASE WHEN $6 THEN now() ELSE nullified_at END, nullification_reason = coalesce($7, nullification_reason)
          WHERE case_id = $1`,
        [
          caseId,
          version,
          input.serious,
          input.seriousReasons,
          input.reportingDueBy,
          input.kind === 'nullification',
          input.nullificationReason ?? null,
        ],
      );
      await this.writeVersion(tx, caseId, version, input.kind, input, input.personal, input.requestHash, current.facts.effects);
      return version;
    });
  }

  private async load(tx: EntityManager, caseId: string, forUpdate: boolean): Promise<StoredCase | null> {
    const [row] = await tx.query(
      `SELECT c.case_id, c.version, c.serious, c.serious_reasons, to_char(c.reporting_due_by, 'YYYY-MM-DD') AS reporting_due_by,
              to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS received_on, c.nullified_at IS NOT NULL AS nullified,
              c.follow_up_token_hash, v.report
         FROM intake.cases c JOIN intake.case_versions v ON v.case_id = c.case_id AND v.version = c.version
        WHERE c.case_id = $1 ${forUpdate ? 'FOR UPDATE OF c' : ''}`,
      [caseId],
    );
    if (!row) return null;
    return {
      caseId: row.case_id,
      version: row.version,
      facts: row.report,
      serious: row.serious,
      seriousReasons: row.serious_reasons,
      reportingDueBy: row.reporting_due_by,
      receivedOn: row.received_on,
      nullified: row.nullified,
      followUpTokenHash: row.follow_up_token_hash,
    };
  }

  private async writeVersion(
    tx: EntityManager,
    caseId: string,
    version: number,
    kind: CaseVersionState['kind'],
    input: Classification & { facts: CaseFacts },
    personal: CasePersonalData | null,
    requestHash: Buffer | null,
    previousEffects: readonly CaseEffect[],
  ): Promise<void> {
    const { facts } = input;
    await tx.query(
      `INSERT INTO intake.case_versions (case_id, version, kind, report, request_hash, serious, serious_reasons, reporting_due_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [caseId, version, kind, JSON.stringify(facts), requestHash, input.serious, input.seriousReasons, input.reportingDueBy],
    );
    if (personal) {
      await tx.query(
        `INSERT INTO intake.case_personal_data (case_id, version, contact, narrative, effect_descriptions) VALUES ($1, $2, $3, $4, $5)`,
        [
          caseId,
          version,
          personal.contact ? JSON.stringify(personal.contact) : null,
          personal.narrative,
          JSON.stringify(personal.effectDescriptions),
        ],
      );
    }
    await tx.query(
      `INSERT INTO intake.case_side_effects (case_id, version, category, severity, onset_date, persistent)
       SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::date[], $6::bool[])`,
      [
        caseId,
        version,
        facts.effects.map((effect) => effect.category),
        facts.effects.map((effect) => effect.severity),
        facts.effects.map((effect) => effect.onsetDate),
        facts.effects.map((effect) => effect.persistent ?? false),
      ],
    );
    const events = caseVersionEvents(versionState(caseId, version, kind, input), previousEffects);
    await this.outbox.append(
      tx,
      events.map((event) => ({ ...event, subject: caseId })),
    );
  }
}

/** What one case version's events are made from: its facts and classification. */
function versionState(
  caseId: string,
  version: number,
  kind: CaseVersionState['kind'],
  input: Classification & { facts: CaseFacts },
): CaseVersionState {
  const { facts } = input;
  return {
    caseId,
    version,
    kind,
    clinicId: facts.clinicId,
    pigmentId: facts.pigmentId,
    procedureDate: facts.procedureDate,
    effects: facts.effects,
    outcome: facts.outcome as CaseVersionState['outcome'],
    serious: input.serious,
    seriousReasons: input.seriousReasons,
    reportingDueBy: input.reportingDueBy,
  };
}
