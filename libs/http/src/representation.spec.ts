import { gunzipSync } from 'node:zlib';
import { KeptAnswer, acceptsEncoding, answerValue, toCsv, wantsCsv } from './representation.js';

describe(wantsCsv.name, () => {
  it.each([
    ['text/csv', true],
    ['text/csv; charset=utf-8', true],
    ['application/json', false],
    ['*/*', false],
    [undefined, false],
    ['application/json, text/csv;q=0.5', false],
    ['text/csv, application/json;q=0.9', true],
    ['text/csv;q=0', false],
  ])('Accept %s → CSV %s', (accept, expected) => {
    expect(wantsCsv(accept)).toBe(expected);
  });
});

describe(toCsv.name, () => {
  it('flattens nested fields with dots, joins lists with semicolons, and quotes what needs quoting', () => {
    const csv = toCsv([
      { clinic: 'A, "the first"', rate: 5, ci95: { lower: 1.372, upper: 18.045 }, signals: ['evans', 'ror'], band: null },
      { clinic: 'B', rate: null, ci95: null, signals: [], band: 'within' },
    ]);
    expect(csv.trim().split('\n')).toEqual([
      'clinic,rate,ci95.lower,ci95.upper,signals,band',
      '"A, ""the first""",5,1.372,18.045,evans;ror,',
      'B,,,,,within',
    ]);
  });

  it('still writes a header when there are no rows', () => {
    expect(toCsv([]).trim()).toBe('(no rows)');
  });
});

describe(acceptsEncoding.name, () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['deflate, GZIP;q=0.5', true],
    ['br', false],
    ['gzip;q=0', false],
    ['*', true],
    ['*;q=0', false],
    ['*, gzip;q=0', false],
    ['gzip;q=0.001, *;q=0', true],
    ['identity', false],
    ['', false],
    [undefined, false],
    [['br', 'gzip'], true],
  ])('Accept-Encoding %p → gzip %s', (header, expected) => {
    expect(acceptsEncoding(header, 'gzip')).toBe(expected);
  });
});

describe(KeptAnswer.name, () => {
  const answer = { clinic: 'Zürich “Nord”', rows: [{ rate: 1.25, ci95: null, signals: ['evans'] }], nextCursor: null };

  it('keeps the JSON gzipped, and gives back the same JSON and the same answer', () => {
    const kept = KeptAnswer.of(answer);
    expect(gunzipSync(kept.gzip).toString('utf8')).toBe(JSON.stringify(answer));
    expect(kept.json().toString('utf8')).toBe(JSON.stringify(answer));
    expect(kept.value()).toEqual(answer);
    expect(answerValue(kept)).toEqual(answer);
  });

  it('gives an answer that was not kept as it is', () => {
    expect(answerValue(answer)).toBe(answer);
  });

  it('holds its bytes in a buffer of their own, not a slice of a shared pool', () => {
    const kept = KeptAnswer.of({ small: 1 });
    expect(kept.gzip.buffer.byteLength).toBe(kept.gzip.length);
  });
});
