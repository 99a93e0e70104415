import { randomUUID } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotificationListener } from '@smp/persistence';
import { hashApiKey, type Principal, type Role } from './api-key.js';

/**
 * NOTIFYed by a trigger on `intake.api_keys` (migration AnnounceApiKeyChanges1763769600012) whenever the table is
 * updated or rows are deleted: a revocation through the API or by hand in SQL. Delivered when that transaction commits.
 */
export const API_KEYS_CHANGED = 'smp_api_keys_changed';

/** More verified keys than this and the cache starts over: a bound on memory, far above the keys a registry issues. */
const MAX_CACHED_KEYS = 10_000;

/**
 * API keys, stored only as hashes in `intake.api_keys`. A verified key is
 * kept in memory, so a request with it needs no query; revoking or rotating a
 * key still takes effect at once, in every app:
 * - any change to the keys table NOTIFYs API_KEYS_CHANGED (a trigger), and
 *   every store LISTENs and forgets all verified keys when it hears it
 *   (Postgres delivers it on commit, before the revoking client gets its answer);
 * - the revoking store forgets them itself, synchronously, before it answers;
 * - without a live LISTEN connection nothing is cached, every key is looked up.
 * A lookup that was running while keys were forgotten is not cached, since it
 * may have read a key just revoked. A key that is not valid is never cached.
 */
@Injectable()
export class ApiKeyStore implements OnApplicationBootstrap, OnApplicationShutdown {
  /** By the key's hash (base64), never the key itself. */
  private readonly verified = new Map<string, Principal>();
  /** Moves on each time the verified keys are forgotten. */
  private generation = 0;
  private listener: NotificationListener | undefined;

  constructor(private readonly db: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }

  async principalFor(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key);
    const cacheKey = hash.toString('base64');
    const known = this.listener?.listening ? this.verified.get(cacheKey) : undefined;
    if (known) return known;
    const generation = this.generation;
    const [row]: Array<{ key_id: string; role: 'admin' | 'regulator' | 'clinic'; clinic_id: string | null }> = await this.db.query(
      `SELECT key_id, role, clinic_id FROM intake.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    if (!row) return null;
    const principal: Principal =
      row.role === 'clinic'
        ? { kind: 'key', keyId: row.key_id, role: 'clinic', clinicId: row.clinic_id! }
        : { kind: 'key', keyId: row.key_id, role: row.role };
    if (this.listener?.listening && generation === this.generation) {
      if (this.verified.size >= MAX_CACHED_KEYS) this.verified.clear();
      this.verified.set(cacheKey, principal);
    }
    return principal;
  }

  /** Stores a key's hash; storing the same key again changes nothing. Returns the key id. */
  async add(hash: Buffer, role: Role, clinicId: string | null): Promise<string> {
    const [row] = await this.db.query(
      `INSERT INTO intake.api_keys (key_id, key_hash, role, clinic_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key_hash) DO UPDATE SET key_hash = excluded.key_hash
       RETURNING key_id`,
      [randomUUID(), hash, role, clinicId],
    );
    return row.key_id;
  }

  /**
   * Revokes a key: the next request with it is refused, by this app and by every other (see the class). Returns false
   * when no such key exists; revoking a revoked key again keeps its first revocation time.
   */
  async revoke(keyId: string): Promise<boolean> {
    // As a SELECT: TypeORM hands an UPDATE's result back as [rows, count] rather than the rows. The table's trigger
    // announces the change (API_KEYS_CHANGED) to every app when this commits.
    const [{ revoked }] = await this.db.query(
      `WITH updated AS (UPDATE intake.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1 RETURNING key_id)
       SELECT count(*)::int AS revoked FROM updated`,
      [keyId],
    );
    this.forget();
    return revoked > 0;
  }

  private forget(): void {
    this.verified.clear();
    this.generation++;
  }

  private async listen(): Promise<void> {
    const { options } = this.db;
    this.listener = await NotificationListener.start(
      {
        connectionString: options.type === 'postgres' ? options.url : undefined,
        channel: API_KEYS_CHANGED,
        applicationName: 'api-key-listener',
        purpose: 'caching API keys',
      },
      {
        onNotify: () => this.forget(),
        // A lookup begun before LISTEN took effect may have missed a revocation: it is not cached.
        onListening: () => this.forget(),
        // Nothing is read from the cache until LISTEN is back (principalFor): free the memory meanwhile.
        onLost: () => this.forget(),
      },
    );
  }
}
