/**
 * A case keeps one human-readable id for life, e.g. SMP-2026-000042: the year
 * the case was received and a network-wide sequence number.
 */
export function formatCaseId(receivedYear: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) {
    throw new RangeError(`case sequence must be a positive integer, got ${sequence}`);
  }
  return `SMP-${receivedYear}-${String(sequence).padStart(6, '0')}`;
}

export const CASE_ID_PATTERN = /^SMP-\d{4}-\d{6,}$/;
