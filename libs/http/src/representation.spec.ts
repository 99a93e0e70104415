import { acceptsEncoding, toCsv, wantsCsv } from './representation.js';

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
