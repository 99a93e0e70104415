import type { IHeaders, Message } from 'kafkajs';

export const EVENT_SOURCE = '/smp-vigil/intake';

export interface OutgoingEvent {
  id: string;
  type: string;
  subject: string;
  time: Date;
  key: string;
  data: object;
}

/**
 * A CloudEvents 1.0 event in Kafka binary mode: `ce_*` headers, the JSON data
 * as the message value, the case id as the key. Written out here rather than
 * through the CloudEvents SDK, which checks every event against a JSON schema
 * and builds a frozen event and a header map for it (this runs for every
 * event the relay sends); the spec holds it to the SDK's Kafka binding.
 */
export function toKafkaMessage(event: OutgoingEvent): Message {
  return {
    key: event.key,
    value: JSON.stringify(event.data),
    headers: {
      'content-type': 'application/json',
      ce_id: event.id,
      ce_time: event.time.toISOString(),
      ce_type: event.type,
      ce_source: EVENT_SOURCE,
      ce_specversion: '1.0',
      ce_subject: event.subject,
    },
  };
}

export interface IncomingEvent {
  id: string;
  type: string;
  subject?: string;
  time?: string;
  data: unknown;
}

export class UndecodableEventError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UndecodableEventError';
  }
}

type HeaderValue = Buffer | string | undefined;

type KafkaEventMessage = { key: Buffer | null; value: Buffer | null; headers?: IHeaders };

/** Reads a binary-mode CloudEvent from a Kafka message, or says why it cannot. */
export function fromKafkaMessage(message: KafkaEventMessage): IncomingEvent {
  const { id, type, data } = readCloudEvent(message);
  const raw = message.headers ?? {};
  return { id, type, subject: text(header(raw, 'ce_subject')), time: text(header(raw, 'ce_time')), data };
}

/**
 * fromKafkaMessage without the strings of `ce_subject` and `ce_time` (the time is checked all the same): what a consumer
 * needs. Throws UndecodableEventError on the same messages.
 */
export function readCloudEvent(message: KafkaEventMessage): Pick<IncomingEvent, 'id' | 'type' | 'data'> {
  // perf: this runs once per event on the projector's hot path, so the headers that are only compared with a
  // constant (or only need to be there) are compared byte by byte, not decoded; only those returned become strings.
  const raw = message.headers ?? {};
  const id = text(header(raw, 'ce_id'));
  if (!id) throw new UndecodableEventError('not a CloudEvent: header ce_id is missing');
  const specVersion = header(raw, 'ce_specversion');
  if (!startsWith(specVersion, SPEC_VERSION) || specVersion?.length !== SPEC_VERSION.length) {
    throw new UndecodableEventError(`unsupported ce_specversion ${JSON.stringify(text(specVersion))}`);
  }
  const contentType = header(raw, 'content-type');
  if (!startsWith(contentType, JSON_CONTENT_TYPE)) {
    throw new UndecodableEventError(`unsupported content-type ${JSON.stringify(text(contentType))}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    throw new UndecodableEventError('message value is not valid JSON');
  }
  // The required attributes, read straight from the headers: the library's toEvent costs ~17 µs an event
  // on the projector's hot path and checks no more than this.
  if (!header(raw, 'ce_source')?.length) throw new UndecodableEventError('invalid CloudEvent: header ce_source is missing');
  const type = text(header(raw, 'ce_type'));
  if (!type) throw new UndecodableEventError('invalid CloudEvent: header ce_type is missing');
  const time = header(raw, 'ce_time');
  if (time !== undefined && !isReadableTime(time))
    throw new UndecodableEventError(`invalid CloudEvent: ce_time ${JSON.stringify(text(time))}`);
  return { id, type, data };
}

/** The last `ce_time` found readable, as bytes of its own (see isReadableTime). */
let lastReadableTime: Buffer | undefined;

/**
 * True when Date.parse reads the time. perf: the events of a burst share their millisecond, so a time equal to the last
 * one read is not decoded and parsed again. (Kept as a copy: the header is a slice of a whole fetch response.)
 */
function isReadableTime(time: Buffer | string): boolean {
  if (typeof time === 'string') return !Number.isNaN(Date.parse(time));
  if (lastReadableTime?.equals(time)) return true;
  if (Number.isNaN(Date.parse(time.toString('utf8')))) return false;
  lastReadableTime = Buffer.from(time);
  return true;
}

const SPEC_VERSION = Buffer.from('1.0');
const JSON_CONTENT_TYPE = Buffer.from('application/json');

const header = (headers: IHeaders, name: string): HeaderValue => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Buffer#toString directly: String(buffer) goes through the conversion protocol and costs ~3× more. */
const text = (value: HeaderValue): string | undefined =>
  value === undefined || typeof value === 'string' ? value : value.toString('utf8');

function startsWith(value: HeaderValue, prefix: Buffer): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return value.startsWith(prefix.toString('latin1'));
  if (value.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (value[i] !== prefix[i]) return false;
  return true;
}
