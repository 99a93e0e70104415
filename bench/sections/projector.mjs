// Projector throughput: how fast the built projector applies a topic full of side-effect events,
// against how fast a kafkajs consumer doing no work at all reads the same topic.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { profileOptions, summariseProfile } from '../lib/cpu-profile.mjs';
import { cpuMeter, microsEach } from '../lib/cpu-time.mjs';
import { formatNumber, round, row } from '../lib/results.mjs';
import { cellKey, createSideEffectWorkload } from '../lib/side-effect-workload.mjs';
import { benchPort } from '../lib/system.mjs';

const EVENTS = 1_000_000;
const QUICK_EVENTS = 100_000;

const FILL_BATCH = 5_000; // ~1,000 messages (~0.5 MB) per partition per request, below message.max.bytes
const FILL_IN_FLIGHT = 3;
const PROJECTOR_PORT = benchPort(23002);
const POLL_MS = 250;
const STALL_MS = 60_000;
const CONSUME_TIMEOUT_MS = 10 * 60_000;
const RAW_READS = 2;

// The baseline runs with the kafkajs defaults (maxBytes 10 MB, maxBytesPerPartition 1 MB, minBytes 1,
// maxWaitTimeInMs 5 s): the client's ceiling. The projector's consumer asks for smaller fetches
// (PROJECTOR_MAX_BYTES and PROJECTOR_MAX_BYTES_PER_PARTITION 512 KB, apps/projector/src/projector.config.ts)
// to bound its memory; with the defaults it applied no faster (26.5 µs of CPU an event against 25.5, peak RSS
// 243 MiB against ~205). Its 500 ms wait for an empty fetch (FETCH_MAX_WAIT_MS) only shortens its stop: with
// events waiting, a fetch returns at once either way.
const CONSUMER_OPTIONS = { allowAutoTopicCreation: false };

export default async function projector(bench) {
  const total = bench.quick ? QUICK_EVENTS : EVENTS;
  const [contracts, domain, cloudEvent, readEventModule, eventId] = await Promise.all([
    bench.dist('libs/contracts/src/index.js'),
    bench.dist('libs/domain/src/index.js'),
    bench.dist('libs/messaging/src/cloud-event.js'),
    bench.dist('libs/messaging/src/read-event.js'),
    bench.dist('libs/messaging/src/event-id.js'),
  ]);
  const topic = contracts.TOPICS.sideEffects;
  const deadLetters = contracts.deadLetterTopic(topic);
  const types = { recorded: contracts.SIDE_EFFECT_RECORDED_V1, retracted: contracts.SIDE_EFFECT_RETRACTED_V1 };

  const admin = bench.kafka.admin();
  await admin.connect();
  bench.defer(() => admin.disconnect());
  // Created here rather than by the projector, because the topic must be full before it starts.
  await admin.createTopics({
    waitForLeaders: true,
    topics: contracts.TOPIC_SPECS.filter((spec) => spec.topic === topic || spec.topic === deadLetters).map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.numPartitions,
      replicationFactor: 1,
    })),
  });

  const workload = createSideEffectWorkload({
    categories: domain.SIDE_EFFECT_CATEGORIES,
    severities: domain.SEVERITIES,
    types,
    source: cloudEvent.EVENT_SOURCE,
    newEventId: eventId.newEventId,
    caseCounting: domain.caseCounting,
    countsNothing: domain.COUNTS_NOTHING,
  });
  const sample = [...workload.messages(1_000)];
  checkEncoding(sample, { ...cloudEvent, ...readEventModule, types: Object.values(types), contract: contracts.SideEffectRecordedV1 });

  const fillRate = await fill(bench, topic, sample, workload.messages(total - sample.length), total);
  const stats = workload.stats();
  bench.log(
    `filled ${topic}: ${formatNumber(total)} events at ${formatNumber(round(fillRate))} events/s ` +
      `(${formatNumber(stats.cases)} cases, ${formatNumber(stats.pairs)} case × category pairs, ` +
      `${formatNumber(stats.amendments)} events of follow-up versions, ${formatNumber(stats.retracted)} retractions)`,
  );

  const partitions = await admin.fetchTopicOffsets(topic);
  const stored = partitions.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  assert.equal(stored, total, `${topic} holds ${stored} messages, expected ${total}`);

  // The baseline is the faster of two reads of the whole topic (each by a group of its own): one read alone
  // ranged from 74,000 to 100,000 events/s between runs on this VM, and the ceiling is the stricter baseline.
  let raw;
  for (let read = 1; read <= RAW_READS; read++) {
    const cpuBefore = process.cpuUsage();
    const once = await rawConsume(bench, topic, partitions, read);
    const rawCpu = process.cpuUsage(cpuBefore);
    bench.log(
      `raw kafkajs consumer, read ${read} of ${RAW_READS}: ${formatNumber(once.messages)} events in ${once.seconds.toFixed(2)} s = ` +
        `${formatNumber(round(once.rate))} events/s (CPU ${((rawCpu.user + rawCpu.system) / once.messages).toFixed(1)} µs an event, the benchmark's process)`,
    );
    if (!raw || once.rate > raw.rate) raw = once;
  }

  const projected = await runProjector(bench, { admin, topic, total });
  bench.log(
    `projector: ${formatNumber(total)} events in ${projected.seconds.toFixed(2)} s from the first applied event ` +
      `(${projected.secondsFromHealthy.toFixed(2)} s from healthy) = ${formatNumber(round(projected.rate))} events/s, ` +
      `peak RSS ${projected.peakRssMiB.toFixed(1)} MiB`,
  );

  await checkReadModel(bench, workload.expected(), admin, deadLetters);
  // For the two-instance run (projector-pair.mjs): the same topic, the same expected figures.
  bench.sideEffectTopic = { topic, total, expected: workload.expected(), admin, deadLetters };

  bench.projectorRate = round(projected.rate);
  const baseline = { name: 'raw kafkajs consume', value: round(raw.rate) };
  return [
    row('kafka fill (kafkajs producer)', round(fillRate), 'events/s'),
    row(baseline.name, baseline.value, 'events/s'),
    row(`projector apply${bench.profile ? ' (profiled)' : ''}`, round(projected.rate), 'events/s', baseline),
    row('projector peak RSS', round(projected.peakRssMiB, 1), 'MiB'),
  ];
}

/** The messages must be exactly what the intake would publish, and pass the projector's validation. */
function checkEncoding(messages, { toKafkaMessage, readEvent, types, contract }) {
  for (const message of messages) {
    const { headers } = message;
    const reference = toKafkaMessage({
      id: headers.ce_id,
      type: headers.ce_type,
      subject: headers.ce_subject,
      time: new Date(headers.ce_time),
      key: message.key,
      data: JSON.parse(message.value),
    });
    assert.deepEqual(message, reference, 'the benchmark encodes events differently from the intake');
    const received = {
      key: Buffer.from(message.key),
      value: Buffer.from(message.value),
      headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value)])),
      offset: '0',
      timestamp: String(Date.now()),
      attributes: 0,
    };
    const read = readEvent(received, types, contract);
    if (!read.ok) throw new Error(`a generated event fails the projector's validation: ${read.reason}`);
  }
}

async function fill(bench, topic, first, rest, total) {
  const producer = bench.kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner, // the intake's, so keys land where they would
  });
  await producer.connect();
  const inFlight = new Set();
  let failure;
  let sent = 0;
  const send = async (messages) => {
    while (inFlight.size >= FILL_IN_FLIGHT) await Promise.race(inFlight);
    if (failure) throw failure;
    const request = producer
      .sendBatch({ topicMessages: [{ topic, messages }], acks: -1, compression: kafkajs.CompressionTypes.None })
      .then(
        () => {
          sent += messages.length;
          bench.progress.update(`filling ${topic}: ${formatNumber(sent)} / ${formatNumber(total)}`);
        },
        (error) => (failure ??= error),
      )
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  try {
    const started = performance.now();
    let batch = first;
    for (const message of rest) {
      batch.push(message);
      if (batch.length >= FILL_BATCH) {
        await send(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await send(batch);
    await Promise.all(inFlight);
    if (failure) throw failure;
    return total / ((performance.now() - started) / 1000);
  } finally {
    await producer.disconnect();
  }
}

/**
 * A consumer in a fresh group that does nothing with the messages, from the first batch to the end of every partition.
 * A new broker may still be loading its group coordinator: a retriable failure before the first message starts over.
 */
async function rawConsume(bench, topic, partitions, read) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rawConsumeOnce(bench, topic, partitions, `${read}-${attempt}`);
    } catch (error) {
      if (!error.retriable || error.consumedSomething || attempt >= 5) throw error;
      bench.log(`raw kafkajs consumer: ${error.message}; starting over`);
      await sleep(2_000);
    }
  }
}

async function rawConsumeOnce(bench, topic, partitions, groupSuffix) {
  const consumer = bench.kafka.consumer({ ...CONSUMER_OPTIONS, groupId: `bench-raw-${bench.runId}-${groupSuffix}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const lastOffsets = new Map(partitions.filter((p) => p.high !== p.low).map((p) => [p.partition, BigInt(p.high) - 1n]));
    let started;
    let messages = 0;
    const finished = new Promise((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      setTimeout(
        () => reject(new Error(`the raw consumer did not finish within ${CONSUME_TIMEOUT_MS / 1000} s`)),
        CONSUME_TIMEOUT_MS,
      ).unref();
      // Default autoCommit, like the projector's manual commit, commits after every batch.
      consumer
        .run({
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            started ??= performance.now();
            if (batch.messages.length === 0) return;
            messages += batch.messages.length;
            resolveOffset(batch.lastOffset());
            await heartbeat();
            bench.progress.update(`raw consumer: ${formatNumber(messages)} events`);
            if (BigInt(batch.lastOffset()) >= (lastOffsets.get(batch.partition) ?? -1n)) {
              lastOffsets.delete(batch.partition);
              if (lastOffsets.size === 0) resolve(performance.now());
            }
          },
        })
        .catch((error) => {
          error.consumedSomething = messages > 0;
          reject(error);
        });
    });
    const ended = await finished;
    const seconds = (ended - started) / 1000;
    return { messages, seconds, rate: messages / seconds };
  } finally {
    await consumer.disconnect();
  }
}

async function runProjector(bench, { admin, topic, total }) {
  const db = await bench.connectDatabase();
  try {
    const groupId = `bench-${bench.runId}`;
    const profiling = bench.profile ? profileOptions(path.join(bench.root, 'profiles'), `projector-${bench.runId}`) : null;
    const projector = await bench.startApp('projector', {
      port: PROJECTOR_PORT,
      env: {
        PROJECTOR_PORT: String(PROJECTOR_PORT),
        PROJECTOR_GROUP_ID: groupId,
        ...profiling?.env,
      },
    });
    const healthyAt = Date.now();
    const cpu = cpuMeter({ projector: [projector.pid], postgres: bench.postgresPids });

    const doneAt = await waitUntilCommitted(bench, {
      admin,
      groupId,
      topic,
      total,
      label: 'projector',
      exited: () => projector.exited() && `the projector exited; see ${projector.logFile}`,
    });
    const used = cpu.stop();
    const peakRssMiB = peakRss(projector.pid) / 1024;
    const firstAppliedAt = await appliedOnce(db, total, 'the projector');
    bench.log(`projector memory at the end: ${await memoryBreakdown(PROJECTOR_PORT)}`);
    bench.log(
      `CPU per event during the projector run: projector ${microsEach(used.projector, total, 1)}, ` +
        `Postgres ${microsEach(used.postgres, total, 1)}`,
    );
    const seconds = (doneAt - firstAppliedAt) / 1000;

    await projector.stop(profiling?.stopSignal);
    if (profiling) bench.log(summariseProfile(profiling.file));
    return { seconds, secondsFromHealthy: (doneAt - healthyAt) / 1000, rate: total / seconds, peakRssMiB };
  } finally {
    await db.end();
  }
}

/**
 * Waits until a consumer group has committed the offset after every message of `topic` (`total` in all), which the
 * projector does only once it applied them; returns when (Date.now()). The progress is read from Kafka, not counted in
 * the inbox: a count(*) of up to a million inbox rows every poll took a sizeable share of the CPU the projector and
 * Postgres share.
 */
export async function waitUntilCommitted(bench, { admin, groupId, topic, total, label, exited = () => false }) {
  const low = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.low)]));
  let committed = 0;
  let progressAt = Date.now();
  for (;;) {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const now = Date.now();
    const sum = (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset) - (low.get(p.partition) ?? 0)), 0);
    if (sum !== committed) progressAt = now;
    committed = sum;
    if (committed >= total) return now;
    const exit = exited();
    if (exit) throw new Error(`${exit} (${formatNumber(committed)} of ${formatNumber(total)} events committed)`);
    if (now - progressAt > STALL_MS) {
      throw new Error(`${label}: no offset committed for ${STALL_MS / 1000} s (at ${formatNumber(committed)} of ${formatNumber(total)})`);
    }
    bench.progress.update(`${label}: ${formatNumber(committed)} / ${formatNumber(total)} applied and committed`);
    await sleep(POLL_MS);
  }
}

/**
 * Checks that the inbox of `db` holds exactly `total` events (each applied once), and returns when the first was applied
 * (ms since the epoch): applied_at is now() of the applying transaction, the start of the first batch's transaction.
 */
export async function appliedOnce(db, total, who) {
  const { rows } = await db.query(
    'SELECT count(*)::int AS applied, (extract(epoch FROM min(applied_at)) * 1000)::float8 AS first FROM projector.applied_events',
  );
  assert.equal(rows[0].applied, total, `${who} applied ${rows[0].applied} events, expected ${total}`);
  return rows[0].first;
}

/** Heap and off-heap memory of an app, from its Prometheus /metrics (prom-client's default metrics). */
async function memoryBreakdown(port) {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const metric = (name) => {
      const match = new RegExp(`^\\w*${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
      return match ? `${(Number(match[1]) / 2 ** 20).toFixed(0)} MiB` : '?';
    };
    return `RSS ${metric('process_resident_memory_bytes')}, heap used ${metric('nodejs_heap_size_used_bytes')} of ${metric('nodejs_heap_size_total_bytes')}, external ${metric('nodejs_external_memory_bytes')}`;
  } catch (error) {
    return `(no /metrics: ${error.message})`;
  }
}

/** VmHWM: the peak resident set size of the process so far, in KiB. */
function peakRss(pid) {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]);
}

export async function checkReadModel(bench, expected, admin, deadLetters, databaseUrl = undefined) {
  const db = await bench.connectDatabase(databaseUrl);
  let rows;
  let cases;
  try {
    [{ cases }] = (await db.query(`SELECT coalesce(sum(cases), 0)::int AS cases FROM projector.side_effect_counts`)).rows;
    ({ rows } = await db.query(
      `SELECT clinic_id, category, to_char(procedure_month, 'YYYY-MM-DD') AS month, sum(reports)::int AS reports, sum(serious)::int AS serious
         FROM projector.side_effect_counts GROUP BY clinic_id, category, procedure_month
       HAVING sum(reports) <> 0 OR sum(serious) <> 0`,
    ));
  } finally {
    await db.end();
  }
  const reports = rows.reduce((sum, r) => sum + r.reports, 0);
  const wrong = [];
  const seen = new Set();
  for (const r of rows) {
    const key = cellKey(r.clinic_id, r.category, r.month);
    seen.add(key);
    const cell = expected.cells.get(key) ?? { reports: 0, serious: 0 };
    if (cell.reports !== r.reports || cell.serious !== r.serious)
      wrong.push(`${key}: ${r.reports}/${r.serious}, expected ${cell.reports}/${cell.serious}`);
  }
  for (const [key, cell] of expected.cells) if (!seen.has(key)) wrong.push(`${key}: missing, expected ${cell.reports}/${cell.serious}`);

  const deadLettered = (await admin.fetchTopicOffsets(deadLetters)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);

  const problems = [];
  if (reports !== expected.reports)
    problems.push(`the reports in projector.side_effect_counts add up to ${reports}, expected ${expected.reports}`);
  if (wrong.length > 0) problems.push(`${wrong.length} cells differ (reports/serious), e.g.\n  ${wrong.slice(0, 10).join('\n  ')}`);
  if (cases !== expected.cases) problems.push(`the cube counts ${cases} cases across categories, expected ${expected.cases}`);
  if (deadLettered > 0) problems.push(`${deadLettered} events went to ${deadLetters}`);
  if (problems.length > 0) throw new Error(`the read model is wrong:\n${problems.join('\n')}`);
  bench.log(
    `read model correct: ${formatNumber(reports)} reports in ${formatNumber(expected.cells.size)} clinic × category × month cells, ` +
      `${formatNumber(cases)} cases across categories, nothing dead-lettered`,
  );
}
