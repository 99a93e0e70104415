// Two projector instances in one consumer group, sharing the partitions of the topic the projector section
// filled, into a database of their own: the rate of the pair, how the group split the partitions and the
// events, and the read model checked against the same expected figures (exact totals).
import { formatNumber, round, row } from '../lib/results.mjs';
import { appliedOnce, checkReadModel, waitUntilCommitted } from './projector.mjs';
import { benchPort } from '../lib/system.mjs';

const PORTS = [benchPort(23003), benchPort(23004)];

export default async function projectorPair(bench) {
  if (!bench.sideEffectTopic) throw new Error('projector-pair runs after the projector section, on the topic it filled');
  const { topic, total, expected, admin, deadLetters } = bench.sideEffectTopic;
  const databaseUrl = await bench.createDatabase(`smp_bench_${bench.runId}_pair`);
  const groupId = `bench-pair-${bench.runId}`;
  const env = { DATABASE_URL: databaseUrl, PROJECTOR_GROUP_ID: groupId };
  // The first creates the schema (migrations) before the second starts, so the two never race to migrate.
  const instances = [];
  for (const port of PORTS) instances.push(await bench.startApp('projector', { port, env: { ...env, PROJECTOR_PORT: String(port) } }));

  const db = await bench.connectDatabase(databaseUrl);
  const started = Date.now();
  const doneAt = await waitUntilCommitted(bench, { admin, groupId, topic, total, label: 'two projectors' });
  const firstAppliedAt = await appliedOnce(db, total, 'the two projectors');
  await db.end();
  const rate = total / ((doneAt - firstAppliedAt) / 1000);

  const split = await Promise.all(PORTS.map((port) => appliedBy(port)));
  const { groups } = await admin.describeGroups([groupId]);
  const members = groups[0]?.members.length ?? 0;
  for (const instance of instances) await instance.stop();
  await checkReadModel(bench, expected, admin, deadLetters, databaseUrl);
  bench.log(
    `two projectors in group ${groupId} (${members} members) on ${topic}: ${formatNumber(total)} events at ${formatNumber(round(rate))} events/s ` +
      `(${((doneAt - started) / 1000).toFixed(1)} s from both healthy); applied by each: ${split.map((n) => formatNumber(n)).join(' + ')}`,
  );
  const single = bench.projectorRate ? { name: 'one projector', value: bench.projectorRate } : undefined;
  return [
    row('two projectors in one group', round(rate), 'events/s', single),
    row('two projectors: events applied by the busier one', Math.max(...split), 'events'),
  ];
}

/** Events an instance applied, from its Prometheus counter. */
async function appliedBy(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const match of text.matchAll(/^smp_projector_events_applied_total\{[^}]*\} (\S+)$/gm)) sum += Number(match[1]);
  return sum;
}
