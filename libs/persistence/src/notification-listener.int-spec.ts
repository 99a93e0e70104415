import pg from 'pg';
import { testEnvironment } from '../../../test/support/environment.js';
import { NotificationListener } from './notification-listener.js';

const CHANNEL = 'smp_listener_spec';

describe(`${NotificationListener.name} against the real Postgres`, () => {
  const url = testEnvironment().databaseUrl;
  let admin: pg.Client;
  let listener: NotificationListener | undefined;
  const seen: string[] = [];

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterEach(async () => {
    await listener?.stop();
    listener = undefined;
    seen.length = 0;
  });
  afterAll(async () => {
    await admin?.end();
  });

  const start = (reconnectMs = 50) =>
    NotificationListener.start(
      { connectionString: url, channel: CHANNEL, applicationName: 'listener-spec', purpose: 'testing', reconnectMs },
      {
        onNotify: (payload) => seen.push(`notify ${payload}`),
        onListening: () => seen.push('listening'),
        onLost: () => seen.push('lost'),
      },
    );

  it('says it is listening once LISTEN took effect, then hands over each notification on commit', async () => {
    listener = await start();
    expect(seen).toEqual(['listening']);
    expect(listener.listening).toBe(true);
    await admin.query('BEGIN');
    await admin.query(`SELECT pg_notify($1, 'one')`, [CHANNEL]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual(['listening']); // not before the commit
    await admin.query('COMMIT');
    await until(() => seen.length === 2);
    expect(seen).toEqual(['listening', 'notify one']);
  });

  it('reports a lost connection, reconnects, and hears what is sent after that', async () => {
    listener = await start();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'listener-spec'`);
    await until(() => seen.length === 3);
    expect(seen).toEqual(['listening', 'lost', 'listening']);
    await admin.query(`SELECT pg_notify($1, 'two')`, [CHANNEL]);
    await until(() => seen.length === 4);
    expect(seen[3]).toBe('notify two');
  });

  it('keeps trying while Postgres cannot be reached, and stops trying once stopped', async () => {
    const unreachable = new URL(url);
    unreachable.port = '1'; // nothing listens there
    listener = await NotificationListener.start(
      { connectionString: unreachable.toString(), channel: CHANNEL, applicationName: 'listener-spec', purpose: 'testing', reconnectMs: 20 },
      { onNotify: () => seen.push('notify'), onListening: () => seen.push('listening'), onLost: () => seen.push('lost') },
    );
    await until(() => seen.length >= 3);
    expect(new Set(seen)).toEqual(new Set(['lost']));
    expect(listener.listening).toBe(false);
    await listener.stop();
    const attempts = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.length).toBeLessThanOrEqual(attempts + 1); // at most the attempt already under way
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the listener');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
