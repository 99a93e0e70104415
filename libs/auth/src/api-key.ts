import { createHash, randomBytes } from 'node:crypto';

export const ROLES = ['admin', 'regulator', 'clinic'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a key's role (and clinic, for a clinic key), or nobody. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'key'; keyId: string; role: 'admin' | 'regulator' }
  | { kind: 'key'; keyId: string; role: 'clinic'; clinicId: string };

/**
 * A new API key: 32 random bytes, prefixed so that a leaked key is
 * recognisable. Only its SHA-256 hash is stored; a key this random needs no
 * slow hash.
 */
export function generateApiKey(role: Role): { key: string; hash: Buffer } {
  const key = `smpv_${role}_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
