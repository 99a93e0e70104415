// Postgres SQLSTATEs of a server that is restarting, shutting down, refusing or overloaded (class 08, 57P0x, 53xxx).
const TRANSIENT_DATABASE_CODES = new Set([
  '57P01', // admin_shutdown: the server is stopping and terminated the session
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  '53300', // too_many_connections
  '53400',
]);
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// What node-postgres and pg-pool say when the connection went away, could not be made in time, or the pool is closing.
const TRANSIENT_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end on the pool|terminating connection due to administrator command/i;

/**
 * TypeORM releases a query runner by itself when its connection emits an error (the server went away): the next query
 * of the transaction on it fails with this, before any COMMIT. (Our code never uses a runner it released itself.)
 */
const CONNECTION_LOST_ERROR_NAMES = new Set(['QueryRunnerProviderAlreadyReleasedError']);

/**
 * Postgres unreachable, restarting or shutting down: the client should retry
 * and nothing was written (the transaction did not commit). Looks through
 * TypeORM's `driverError`, `cause` chains and AggregateErrors (a connect that
 * tried several addresses).
 */
export function isTransientDatabaseError(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const candidate = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  const code = candidate.code;
  if (typeof code === 'string' && (TRANSIENT_DATABASE_CODES.has(code) || TRANSIENT_NETWORK_CODES.has(code))) return true;
  if (typeof candidate.message === 'string' && TRANSIENT_MESSAGES.test(candidate.message)) return true;
  if (CONNECTION_LOST_ERROR_NAMES.has((error as { name?: unknown }).name as string)) return true;
  if (candidate.driverError && isTransientDatabaseError(candidate.driverError, depth + 1)) return true;
  if (candidate.cause && isTransientDatabaseError(candidate.cause, depth + 1)) return true;
  return (
    Array.isArray(candidate.errors) &&
    candidate.errors.length > 0 &&
    candidate.errors.every((inner) => isTransientDatabaseError(inner, depth + 1))
  );
}
