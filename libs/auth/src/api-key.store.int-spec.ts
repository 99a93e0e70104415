import pg from 'pg';
import type { DataSource } from 'typeorm';
import { INTAKE_SCHEMA } from '@smp/persistence';
import { migratedDataSource } from '../../../test/support/database.js';
import { eventually } from '../../../test/support/environment.js';
import { API_KEYS_CHANGED, ApiKeyStore } from './api-key.store.js';
import { generateApiKey } from './api-key.js';

describe(`${ApiKeyStore.name} against the real Postgres`, () => {
  let db: DataSource;
  let sut: ApiKeyStore;
  /** Another app's store: same database, a listener of its own. */
  let other: ApiKeyStore;

  beforeAll(async () => {
    db = await migratedDataSource(INTAKE_SCHEMA);
    sut = new ApiKeyStore(db);
    other = new ApiKeyStore(db);
    await sut.onApplicationBootstrap();
    await other.onApplicationBootstrap();
  });
  afterAll(async () => {
    await sut?.onApplicationShutdown();
    await other?.onApplicationShutdown();
    await db?.destroy();
  });

  it('refuses a revoked key at once in the revoking app, and in another app as soon as the revocation is announced', async () => {
    const { key, hash } = generateApiKey('regulator');
    const keyId = await sut.add(hash, 'regulator', null);
    const principal = { kind: 'key', keyId, role: 'regulator' };
    // Twice each: the second answer comes from the cache.
    for (const store of [sut, other, sut, other]) expect(await store.principalFor(key)).toEqual(principal);

    const announced = await heard(db, API_KEYS_CHANGED, () => sut.revoke(keyId));
    expect(announced).toBe(true);
    expect(await sut.principalFor(key)).toBeNull();
    await refusedOnceHeard(other, key);
  });

  it('refuses a key revoked by hand in SQL in every app, once the table announces the change', async () => {
    const { key, hash } = generateApiKey('regulator');
    const keyId = await sut.add(hash, 'regulator', null);
    const principal = { kind: 'key', keyId, role: 'regulator' };
    for (const store of [sut, other, sut, other]) expect(await store.principalFor(key)).toEqual(principal);

    // An operator's emergency revocation, not through any store.
    await heard(db, API_KEYS_CHANGED, () => db.query(`UPDATE intake.api_keys SET revoked_at = now() WHERE key_id = $1`, [keyId]));
    await refusedOnceHeard(sut, key);
    await refusedOnceHeard(other, key);
  });

  it('caches nothing without a listener: a key revoked in the database is refused at once', async () => {
    const unlistening = new ApiKeyStore(db); // never bootstrapped, as in the CLI
    const { key, hash } = generateApiKey('admin');
    const keyId = await unlistening.add(hash, 'admin', null);
    expect(await unlistening.principalFor(key)).toEqual({ kind: 'key', keyId, role: 'admin' });
    await db.query(`UPDATE intake.api_keys SET revoked_at = now() WHERE key_id = $1`, [keyId]);
    expect(await unlistening.principalFor(key)).toBeNull();
  });

  it('never caches an unknown key: a key added later is accepted', async () => {
    const { key, hash } = generateApiKey('regulator');
    expect(await sut.principalFor(key)).toBeNull();
    const keyId = await other.add(hash, 'regulator', null);
    expect(await sut.principalFor(key)).toEqual({ kind: 'key', keyId, role: 'regulator' });
  });
});

/**
 * Waits until `store` refuses `key`: until its own listener has the announcement (each listening connection gets it
 * when its backend next runs, so not always by the time the test's own listener had it). Until then the store answers
 * from its cache; a store that never hears of the revocation fails the test.
 */
async function refusedOnceHeard(store: ApiKeyStore, key: string): Promise<void> {
  await eventually(async () => ((await store.principalFor(key)) === null ? true : undefined), 5_000, 'the store to refuse the revoked key');
}

/** Runs `act` while LISTENing on `channel` and waits for the notification it sends. */
async function heard<T>(db: DataSource, channel: string, act: () => Promise<T>): Promise<T> {
  const { url } = db.options as { url: string };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`LISTEN ${channel}`);
    const notified = new Promise<void>((resolve) => client.once('notification', () => resolve()));
    const result = await act();
    await notified;
    return result;
  } finally {
    await client.end();
  }
}
