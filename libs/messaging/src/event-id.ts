import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const POOL_IDS = 128;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolOffset = pool.length;

let lastMs = -1;
let sequence = 0;

/**
 * A new event id: a UUIDv7 (RFC 9562), the Unix time in milliseconds in the first 48 bits, then
 * a 12-bit sequence (`rand_a`, method 3 of RFC 9562 section 6.2), then 62 random bits. Ids made by
 * one process are strictly increasing, even within one millisecond or if the clock steps back, so
 * the consumers' inbox (`applied_events`, a btree on the id) appends at its right edge instead of
 * touching a random leaf page per event, as random (v4) ids do.
 */
export function newEventId(now: number = Date.now()): string {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;

  if (now > lastMs) {
    lastMs = now;
    // Start each millisecond low in the sequence space, leaving room to count up.
    sequence = bytes[6] & 0x1ff;
  } else if (++sequence > 0xfff) {
    // 4,096 ids in one millisecond: borrow the next one, which keeps the order.
    lastMs++;
    sequence = bytes[6] & 0x1ff;
  }
  const ms = lastMs;
  const high = Math.floor(ms / 0x10000); // the upper 32 of the 48 bits
  bytes[0] = (high >>> 24) & 0xff;
  bytes[1] = (high >>> 16) & 0xff;
  bytes[2] = (high >>> 8) & 0xff;
  bytes[3] = high & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | (sequence >>> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f); // the RFC 9562 variant, 10xx
  return (
    HEX[bytes[0]] +
    HEX[bytes[1]] +
    HEX[bytes[2]] +
    HEX[bytes[3]] +
    '-' +
    HEX[bytes[4]] +
    HEX[bytes[5]] +
    '-' +
    HEX[bytes[6]] +
    HEX[bytes[7]] +
    '-' +
    HEX[bytes[8]] +
    HEX[bytes[9]] +
    '-' +
    HEX[bytes[10]] +
    HEX[bytes[11]] +
    HEX[bytes[12]] +
    HEX[bytes[13]] +
    HEX[bytes[14]] +
    HEX[bytes[15]]
  );
}

/** The millisecond timestamp of a UUIDv7. */
export function eventIdTime(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
