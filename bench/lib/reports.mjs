// Valid, varied POST /v1/reports bodies, and the clinics and pigments they name (registered once per run
// through the intake's admin API, so every report passes the intake's checks).
import { formatNumber } from './results.mjs';
import { seededRandom } from './random.mjs';

const DAY_MS = 86_400_000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const pad = (n, width) => String(n).padStart(width, '0');

async function post(url, key, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  if (response.status !== 201) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Registers `clinics` clinics and `pigments` pigment batches, a few at a time. */
export async function registerReferences(bench, intakeUrl, { clinics, pigments }) {
  const clinicIds = [];
  const pigmentIds = [];
  const run = async (count, make) => {
    for (let i = 0; i < count; i += 10) await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => make(i + j)));
  };
  await run(clinics, async (i) => {
    const { clinicId } = await post(`${intakeUrl}/v1/clinics`, bench.adminKey, {
      name: `Bench clinic ${pad(i + 1, 5)}`,
      country: ['DE', 'FR', 'NL', 'AT', 'BE'][i % 5],
    });
    clinicIds.push(clinicId);
  });
  await run(pigments, async (i) => {
    const { pigmentId } = await post(`${intakeUrl}/v1/pigments`, bench.adminKey, {
      manufacturer: `Maker ${1 + (i % 6)}`,
      product: `Ink ${1 + (i % 4)}`,
      batch: `B-${pad(i + 1, 5)}`,
    });
    pigmentIds.push(pigmentId);
  });
  bench.log(`registered ${formatNumber(clinicIds.length)} clinics and ${formatNumber(pigmentIds.length)} pigments`);
  return { clinicIds, pigmentIds };
}

/** A generator of report bodies over the given clinics and pigments (procedures in the last two years). */
export function reportBodies({ clinicIds, pigmentIds, categories, severities, outcomes, reporterTypes }) {
  const random = seededRandom(7);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const today = Date.now() - DAY_MS; // yesterday: never "in the future" whatever the time zone of the day boundary
  return () => {
    const procedureMs = today - Math.floor(random() * 700) * DAY_MS;
    const effects = [];
    const wanted = 1 + Math.floor(random() ** 2 * 3);
    for (const category of [...categories].sort(() => random() - 0.5).slice(0, wanted)) {
      effects.push({
        category,
        severity: pick(severities),
        onsetDate: isoDay(Math.min(today, procedureMs + Math.floor(random() * 30) * DAY_MS)),
        ...(random() < 0.2 ? { persistent: true } : {}),
      });
    }
    return {
      clinicId: pick(clinicIds),
      ...(random() < 0.85 ? { pigmentId: pick(pigmentIds) } : {}),
      procedureDate: isoDay(procedureMs),
      reporter: {
        type: pick(reporterTypes),
        ...(random() < 0.5 ? { contact: { email: `client${Math.floor(random() * 1e6)}@example.org` } } : {}),
      },
      patient: { ageYears: 18 + Math.floor(random() * 60), sex: pick(['female', 'male']) },
      effects,
      ...(random() < 0.7 ? { outcome: pick(outcomes) } : {}),
      ...(random() < 0.5 ? { narrative: 'Redness and swelling on the crown a few days after the session.' } : {}),
    };
  };
}
