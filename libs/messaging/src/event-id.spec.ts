import { eventIdTime, newEventId } from './event-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the millisecond', () => {
    const now = Date.UTC(2026, 10, 22, 1, 30);
    const id = newEventId(now);
    expect(id).toMatch(UUID_V7);
    expect(eventIdTime(id)).toBeGreaterThanOrEqual(now);
  });

  it('is strictly increasing within one millisecond, past 4,096 ids, and when the clock steps back', () => {
    const now = Date.UTC(2030, 0, 1);
    const ids = [
      ...Array.from({ length: 10_000 }, () => newEventId(now)),
      ...Array.from({ length: 100 }, () => newEventId(now - 60_000)),
      ...Array.from({ length: 100 }, () => newEventId(now + 60_000)),
    ];
    for (const id of ids) expect(id).toMatch(UUID_V7);
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
