import type { KafkaMessage } from 'kafkajs';
import { readCloudEvent, UndecodableEventError } from './cloud-event.js';
import { checkContract } from '@smp/contracts';

export type ReadResult<T> = { ok: true; id: string; type: string; data: T } | { ok: false; reason: string };

/**
 * The consumer boundary: a message must be a binary-mode CloudEvent of one of
 * the expected types whose data passes the contract's validation (class-validator's
 * decorators, see checkContract). Anything else is a reason for the dead-letter
 * topic, never an exception that stops a partition.
 */
export function readEvent<T extends object>(message: KafkaMessage, types: readonly string[], contract: new () => T): ReadResult<T> {
  let event;
  try {
    event = readCloudEvent(message);
  } catch (error) {
    if (error instanceof UndecodableEventError) return { ok: false, reason: error.message };
    throw error;
  }
  if (!types.includes(event.type)) {
    return { ok: false, reason: `unexpected event type ${JSON.stringify(event.type)}, expected ${types.join(' or ')}` };
  }
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    return { ok: false, reason: 'event data is not a JSON object' };
  }
  const checked = checkContract(contract, event.data);
  if (!checked.ok) return { ok: false, reason: `event data fails ${contract.name}: ${checked.problems.join('; ')}` };
  return { ok: true, id: event.id, type: event.type, data: checked.data };
}
