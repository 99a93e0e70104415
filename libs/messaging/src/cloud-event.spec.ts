import { CloudEvent, Kafka } from 'cloudevents';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { SIDE_EFFECT_RECORDED_V1, SideEffectRecordedV1 } from '@smp/contracts';
import { EVENT_SOURCE, fromKafkaMessage, toKafkaMessage } from './cloud-event.js';
import { readEvent } from './read-event.js';

const data: SideEffectRecordedV1 = {
  caseId: 'SMP-2026-000007',
  caseVersion: 1,
  clinicId: 'clinic-a',
  category: 'allergic_reaction',
  severity: 'severe',
  serious: false,
  procedureDate: '2026-05-01',
  onsetDate: '2026-05-02',
};

function received(headers: IHeaders, value: string | null, key = 'SMP-2026-000007'): KafkaMessage {
  const asBuffers: IHeaders = {};
  for (const [name, header] of Object.entries(headers)) asBuffers[name] = Buffer.from(String(header));
  return {
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: asBuffers,
    offset: '0',
    timestamp: '0',
    attributes: 0,
  } as KafkaMessage;
}

describe('CloudEvents over Kafka (binary mode)', () => {
  const id = '6f1c1c8e-6a51-4a9c-8a38-8b0f5b2a3e11';
  const message = toKafkaMessage({
    id,
    type: SIDE_EFFECT_RECORDED_V1,
    subject: data.caseId,
    key: data.caseId,
    time: new Date('2026-05-03T10:00:00Z'),
    data,
  });

  it('puts the attributes in ce_ headers, the data in the value and the case id in the key', () => {
    expect(message.key).toBe('SMP-2026-000007');
    expect(JSON.parse(String(message.value))).toEqual(data);
    expect(message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: id,
      ce_type: SIDE_EFFECT_RECORDED_V1,
      ce_source: '/smp-vigil/intake',
      ce_subject: 'SMP-2026-000007',
      ce_time: '2026-05-03T10:00:00.000Z',
      'content-type': 'application/json',
    });
  });

  it("is, header for header and in the same order, what the CloudEvents SDK's Kafka binding makes of the event", () => {
    const sdk = Kafka.binary(
      new CloudEvent({
        specversion: '1.0',
        id,
        type: SIDE_EFFECT_RECORDED_V1,
        source: EVENT_SOURCE,
        subject: data.caseId,
        time: '2026-05-03T10:00:00.000Z',
        datacontenttype: 'application/json',
        data,
      }),
    );
    // The SDK also repeats content-type as ce_datacontenttype, which the intake has never sent, and lists unset attributes.
    const { ce_datacontenttype: _repeated, ...headers } = sdk.headers;
    const set = Object.entries(headers).filter(([, value]) => value !== undefined);
    expect(Object.entries(message.headers!)).toEqual(set.map(([name, value]) => [name, String(value)]));
    expect(JSON.parse(String(message.value))).toEqual(sdk.body);
  });

  it('reads back what it wrote', () => {
    const sut = readEvent(received(message.headers!, String(message.value)), [SIDE_EFFECT_RECORDED_V1], SideEffectRecordedV1);
    expect(sut).toEqual({ ok: true, id, type: SIDE_EFFECT_RECORDED_V1, data: expect.objectContaining(data) });
  });

  it('reads every attribute back, subject and time too', () => {
    expect(fromKafkaMessage(received(message.headers!, String(message.value)))).toEqual({
      id,
      type: SIDE_EFFECT_RECORDED_V1,
      subject: 'SMP-2026-000007',
      time: '2026-05-03T10:00:00.000Z',
      data,
    });
  });

  it('accepts a time it read before without being fooled by a header changed after it was read', () => {
    const read = (time: string | Buffer) => {
      const arriving = received({ ...message.headers!, ce_time: 'placeholder' }, String(message.value));
      arriving.headers!.ce_time = typeof time === 'string' ? Buffer.from(time) : time;
      return readEvent(arriving, [SIDE_EFFECT_RECORDED_V1], SideEffectRecordedV1);
    };
    // A time header is a slice of a whole fetch response, which the client reuses: what is remembered must be a copy.
    const fetched = Buffer.from('2026-05-03T10:00:00.000Z');
    expect(read('2026-05-04T08:30:00.000Z').ok).toBe(true);
    expect(read(fetched).ok).toBe(true);
    expect(read('2026-05-03T10:00:00.000Z').ok).toBe(true);
    fetched.write('2026-99-03T10:00:00.000Z');
    const sut = read(fetched);
    expect(sut.ok === false && sut.reason).toContain('ce_time "2026-99-03T10:00:00.000Z"');
    expect(read('2026-05-03T10:00:00.000Z').ok).toBe(true);
  });

  it.each([
    ['bad JSON', message.headers!, '{"caseId":', 'message value is not valid JSON'],
    ['no CloudEvent headers', { 'content-type': 'application/json' }, JSON.stringify(data), 'header ce_id is missing'],
    ['an unknown type', { ...message.headers!, ce_type: 'org.smpvigil.unknown.v1' }, JSON.stringify(data), 'unexpected event type'],
    ['a wrong spec version', { ...message.headers!, ce_specversion: '0.3' }, JSON.stringify(data), 'unsupported ce_specversion'],
    ['no source', { ...message.headers!, ce_source: '' }, JSON.stringify(data), 'header ce_source is missing'],
    ['an unreadable time', { ...message.headers!, ce_time: 'yesterday' }, JSON.stringify(data), 'ce_time "yesterday"'],
    ['a missing field', message.headers!, JSON.stringify({ ...data, category: undefined }), 'category must be one of'],
    ['a wrongly typed field', message.headers!, JSON.stringify({ ...data, caseVersion: 'two' }), 'caseVersion must be an integer'],
    ['data that is not an object', message.headers!, '[1,2]', 'not a JSON object'],
  ])('rejects %s with a reason', (_case, headers, value, reason) => {
    const sut = readEvent(received(headers, value), [SIDE_EFFECT_RECORDED_V1], SideEffectRecordedV1);
    expect(sut.ok).toBe(false);
    expect(sut.ok === false && sut.reason).toContain(reason);
  });
});
