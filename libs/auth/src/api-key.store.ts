import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hashApiKey, type Principal, type Role } from './api-key.js';

/**
 * API keys, stored only as hashes in `intake.api_keys`. Looks keys up by hash on every request (a primary-key probe), so that
 * revoking or rotating a key takes effect at once, in every app.
 */
@Injectable()
export class ApiKeyStore {
  constructor(private readonly db: DataSource) {}

  async principalFor(key: string): Promise<Principal | null> {
    const [row]: Array<{ key_id: string; role: 'admin' | 'regulator' | 'clinic'; clinic_id: string | null }> = await this.db.query(
      `SELECT key_id, role, clinic_id FROM intake.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hashApiKey(key)],
    );
    if (!row) return null;
    return row.role === 'clinic'
      ? { kind: 'key', keyId: row.key_id, role: 'clinic', clinicId: row.clinic_id! }
      : { kind: 'key', keyId: row.key_id, role: row.role };
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
   * Revokes a key: every app checks keys per request, so the next request with it is refused. Returns false when no
   * such key exists; revoking a revoked key again keeps its first revocation time.
   */
  async revoke(keyId: string): Promise<boolean> {
    // As a SELECT: TypeORM hands an UPDATE's result back as [rows, count] rather than the rows.
    const [{ revoked }] = await this.db.query(
      `WITH updated AS (UPDATE intake.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1 RETURNING key_id)
       SELECT count(*)::int AS revoked FROM updated`,
      [keyId],
    );
    return revoked > 0;
  }
}
