import { createHash, timingSafeEqual } from 'node:crypto';
import type { Principal } from '@smp/auth';
import { ProblemError } from '@smp/http';
import type { StoredCase } from './case.repository.js';

export const FOLLOW_UP_TOKEN_HEADER = 'x-follow-up-token';

export function caseNotFound(caseId: string): ProblemError {
  return new ProblemError(404, 'case-not-found', 'Not Found', `There is no case ${caseId}.`);
}

/**
 * A case is acted on by an admin, by a key of the case's clinic, or (for
 * follow-ups) by whoever holds its follow-up token. Anyone else learns
 * nothing, not even whether the case exists.
 */
export function authorizeCaseAccess(
  principal: Principal,
  stored: StoredCase | null,
  caseId: string,
  options: { followUpToken?: string; allowToken: boolean },
): StoredCase {
  const allowed =
    stored !== null &&
    ((principal.kind === 'key' && principal.role === 'admin') ||
      (principal.kind === 'key' && principal.role === 'clinic' && principal.clinicId === stored.facts.clinicId) ||
      (options.allowToken && options.followUpToken !== undefined && tokenMatches(options.followUpToken, stored.followUpTokenHash)));
  if (allowed) return stored!;
  if (principal.kind === 'anonymous' && options.followUpToken === undefined) {
    throw new ProblemError(
      401,
      'unauthorized',
      'Unauthorized',
      "This needs the case's follow-up token (X-Follow-Up-Token) or an API key.",
      [],
      {
        'www-authenticate': 'Bearer',
      },
    );
  }
  throw caseNotFound(caseId);
}

function tokenMatches(token: string, hash: Buffer | null): boolean {
  if (!hash) return false;
  const given = createHash('sha256').update(token).digest();
  return given.length === hash.length && timingSafeEqual(given, hash);
}
