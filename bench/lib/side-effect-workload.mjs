// Side-effect events as the intake publishes them, for a fixed population of cases, and what the
// projector must make of them.
//
// Each case gets a history like the intake's: version 1 records its side effects; follow-ups (about
// one case in five) may move the procedure date or clinic, escalate seriousness, add or withdraw side
// effects (withdrawn ones are retracted), and a few cases end nullified (everything retracted). The
// stream picks a case at random and publishes the next event of its history, starting over once the
// history is exhausted: with more events than the histories hold, later rounds are republications
// of the same facts under new event ids. The data of one (case, version, category) never varies, so
// the right counts do not depend on the order of delivery: every (case, category) counts as its
// highest version seen says.

import { seededRandom } from './random.mjs';

const DAY_MS = 86_400_000;
// Procedure dates over 24 months: 2024-06-01 … 2026-05-31.
const FIRST_DAY_MS = Date.UTC(2024, 5, 1);
const DAYS = Math.round((Date.UTC(2026, 5, 1) - FIRST_DAY_MS) / DAY_MS);

const isoDay = (day) => new Date(FIRST_DAY_MS + day * DAY_MS).toISOString().slice(0, 10);
const pad = (n, width) => String(n).padStart(width, '0');

/**
 * @param {object} options
 * @param {readonly string[]} options.categories SIDE_EFFECT_CATEGORIES, most frequent first
 * @param {readonly string[]} options.severities SEVERITIES
 * @param {{ recorded: string, retracted: string }} options.types the two event types
 * @param {string} options.source ce_source of the intake
 * @param {() => string} options.newEventId the intake's event ids (UUIDv7, libs/messaging/src/event-id.ts)
 * @param {(effects: Array<{ category: string, severity: string }>) => (effect: { category: string, severity: string }) =>
 *   { countsCase: boolean, countsCaseForSeverity: boolean }} options.caseCounting the intake's rule (libs/domain/src/case-counting.ts)
 * @param {{ countsCase: false, countsCaseForSeverity: false }} options.countsNothing what the intake says on a retraction (COUNTS_NOTHING)
 */
export function createSideEffectWorkload({
  cases = 20_000,
  clinics = 50,
  pigments = 12,
  categories,
  severities,
  types,
  source,
  newEventId,
  caseCounting,
  countsNothing,
  seed = 2026,
}) {
  const random = seededRandom(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const clinicIds = Array.from({ length: clinics }, (_, i) => `CLN-${pad(i + 1, 5)}`);
  // Skewed: a few clinics report most cases, and the first categories are the common ones.
  const pickClinic = () => clinicIds[Math.floor(clinics * random() ** 2)];
  const pickCategory = () => categories[Math.floor(categories.length * random() ** 1.5)];

  function caseHistory(n) {
    const caseId = `SMP-2026-${pad(n, 6)}`;
    const versions = random() < 0.8 ? 1 : random() < 0.7 ? 2 : 3;
    let clinicId = pickClinic();
    const pigmentId = random() < 0.85 ? `PIG-${pad(1 + Math.floor(random() * pigments), 5)}` : undefined;
    let procedureDay = Math.floor(random() * DAYS);
    let serious = random() < 0.18;
    let effects = new Map();
    const addEffect = () => {
      const category = pickCategory();
      if (!effects.has(category)) effects.set(category, { severity: pick(severities), onsetAfterDays: Math.floor(random() * 40) });
    };
    const size = random() < 0.6 ? 1 : random() < 0.75 ? 2 : 3;
    while (effects.size < size) addEffect();

    const events = [];
    // countsCase and countsCaseForSeverity as the intake sets them on a recorded side effect (and on a retraction, below).
    const counting = (category, effect) =>
      caseCounting([...effects].map(([other, { severity }]) => ({ category: other, severity })))({ category, severity: effect.severity });
    const publish = (caseVersion, category, effect, type) => {
      // Same fields in the same order as the intake's SideEffectRecordedV1.
      const data = {
        caseId,
        caseVersion,
        clinicId,
        ...(pigmentId ? { pigmentId } : {}),
        category,
        severity: effect.severity,
        serious,
        procedureDate: isoDay(procedureDay),
        onsetDate: isoDay(procedureDay + effect.onsetAfterDays),
        ...(type === types.recorded ? counting(category, effect) : countsNothing),
      };
      events.push({
        caseId,
        caseVersion,
        category,
        type,
        clinicId,
        procedureMonth: `${data.procedureDate.slice(0, 7)}-01`,
        serious,
        countsCase: data.countsCase === true,
        value: JSON.stringify(data),
      });
    };

    for (const [category, effect] of effects) publish(1, category, effect, types.recorded);
    for (let version = 2; version <= versions; version++) {
      if (version === versions && random() < 0.15) {
        for (const [category, effect] of effects) publish(version, category, effect, types.retracted);
        break;
      }
      const before = effects;
      effects = new Map(before);
      if (random() < 0.25) procedureDay = Math.min(DAYS - 1, Math.max(0, procedureDay + Math.floor(random() * 61) - 30));
      if (random() < 0.05) clinicId = pickClinic();
      if (!serious && random() < 0.1) serious = true;
      if (effects.size > 1 && random() < 0.3) effects.delete(pick([...effects.keys()]));
      if (random() < 0.3) addEffect();
      if (random() < 0.3) {
        const category = pick([...effects.keys()]);
        effects.set(category, { ...effects.get(category), severity: pick(severities) });
      }
      for (const [category, effect] of effects) publish(version, category, effect, types.recorded);
      for (const [category, effect] of before) if (!effects.has(category)) publish(version, category, effect, types.retracted);
    }
    return events;
  }

  const histories = Array.from({ length: cases }, (_, i) => caseHistory(i + 1));
  const cursors = new Uint32Array(cases);
  /** The highest version published so far of each (case, category). */
  const latest = new Map();
  const published = { events: 0, retracted: 0, amendments: 0 };

  function toKafkaMessage(event) {
    // Header set and order of toKafkaMessage() in libs/messaging/src/cloud-event.ts.
    return {
      key: event.caseId,
      value: event.value,
      headers: {
        'content-type': 'application/json',
        ce_id: newEventId(),
        ce_time: new Date().toISOString(),
        ce_type: event.type,
        ce_source: source,
        ce_specversion: '1.0',
        ce_subject: event.caseId,
      },
    };
  }

  return {
    /** The next `count` kafkajs messages of the stream. */
    *messages(count) {
      for (let i = 0; i < count; i++) {
        const c = Math.floor(random() * cases);
        const history = histories[c];
        const event = history[cursors[c]++ % history.length];
        const key = `${event.caseId}\u0000${event.category}`;
        if ((latest.get(key)?.caseVersion ?? 0) < event.caseVersion) latest.set(key, event);
        published.events++;
        if (event.type === types.retracted) published.retracted++;
        if (event.caseVersion > 1) published.amendments++;
        yield toKafkaMessage(event);
      }
    },

    /** What was published so far. */
    stats() {
      return { ...published, cases: new Set([...latest.values()].map((event) => event.caseId)).size, pairs: latest.size };
    },

    /**
     * The counts of projector.clinic_category_month the events published so far must lead to:
     * every (case, category) whose latest version is recorded (not retracted), in the cell of its
     * clinic, category and procedure month; and the cases those count across categories (a case the stream
     * left between two versions may count twice or not at all, as the projector would count it then).
     */
    expected() {
      const cells = new Map();
      let reports = 0;
      let cases = 0;
      for (const event of latest.values()) {
        if (event.type !== types.recorded) continue;
        reports++;
        if (event.countsCase) cases++;
        const key = cellKey(event.clinicId, event.category, event.procedureMonth);
        const cell = cells.get(key) ?? { reports: 0, serious: 0 };
        cell.reports++;
        if (event.serious) cell.serious++;
        cells.set(key, cell);
      }
      return { reports, cells, cases };
    },
  };
}

export const cellKey = (clinicId, category, procedureMonth) => `${clinicId} / ${category} / ${procedureMonth}`;
