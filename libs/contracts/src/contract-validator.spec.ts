import fc from 'fast-check';
import { ProceduresRecordedV1, ReportV1, SideEffectRecordedV1 } from './index.js';
import { Transform, Type } from 'class-transformer';
import { IsOptional, IsString, MinLength, ValidateNested } from 'class-validator';
import { OUTCOMES, SERIOUS_REASONS, SEVERITIES, SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { checkContract, checkWithClassValidator, contractSchema, fastValidator } from './contract-validator.js';

// Values near every edge the decorators draw: wrong types, empty and over-long strings, strings with
// variation selectors and astral characters (which validator.js and JSON Schema count differently),
// patterns that almost match, numbers at and around the bounds.
const nasty = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    '',
    ' ',
    0,
    -1,
    1.5,
    Number.MAX_SAFE_INTEGER,
    '1',
    true,
    'true',
    [],
    {},
    ['infection'],
    'x'.repeat(64),
    'x'.repeat(65),
    `${'x'.repeat(63)}\uFE0F`,
    `${'x'.repeat(64)}\uFE0F`,
    `${'x'.repeat(63)}😀`,
    'SMP-2026-12345',
    'SMP-2026-123456',
    'SMP-2026-123456\n',
    'smp-2026-123456',
    'SMP-2026-١٢٣٤٥٦',
    '2026-01-01',
    '2026-1-01',
    '2026-01-01T00:00:00Z',
    ' 2026-01-01',
    'INFECTION',
    'infection',
    'mild',
  ),
  fc.string({ maxLength: 70 }),
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.integer({ min: -3, max: 10_003 }),
  fc.double(),
  fc.anything(),
);

const sideEffect = {
  caseId: fc.stringMatching(/^SMP-\d{4}-\d{6,8}$/),
  caseVersion: fc.integer({ min: 1, max: 50 }),
  clinicId: fc.string({ minLength: 1, maxLength: 64 }),
  pigmentId: fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }),
  category: fc.constantFrom(...SIDE_EFFECT_CATEGORIES),
  severity: fc.constantFrom(...SEVERITIES),
  serious: fc.boolean(),
  procedureDate: fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  onsetDate: fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  outcome: fc.option(fc.constantFrom(...OUTCOMES), { nil: undefined }),
};

const reportEffect = {
  category: fc.constantFrom(...SIDE_EFFECT_CATEGORIES),
  severity: fc.constantFrom(...SEVERITIES),
  onsetDate: fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  persistent: fc.boolean(),
};

const report = {
  caseId: sideEffect.caseId,
  caseVersion: sideEffect.caseVersion,
  clinicId: sideEffect.clinicId,
  pigmentId: sideEffect.pigmentId,
  procedureDate: sideEffect.procedureDate,
  serious: fc.boolean(),
  seriousReasons: fc.uniqueArray(fc.constantFrom(...SERIOUS_REASONS)),
  reportingDueBy: fc.option(fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/), { nil: undefined }),
  outcome: sideEffect.outcome,
  nullified: fc.boolean(),
  effects: fc.array(fc.record(reportEffect), { maxLength: 4 }),
};

const procedures = {
  procedureRef: fc.string({ minLength: 1, maxLength: 64 }),
  clinicId: fc.string({ minLength: 1, maxLength: 64 }),
  pigmentId: fc.string({ minLength: 1, maxLength: 64 }),
  procedureDate: fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  sessionNumber: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  count: fc.integer({ min: 1, max: 10_000 }),
};

type Fields = Record<string, fc.Arbitrary<unknown>>;

const withoutUndefined = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));

/** Valid records. */
const valid = (fields: Fields) => fc.record(fields).map(withoutUndefined);

/** Records where some fields take nasty values (or go missing), sometimes with an extra property. */
function mutatedRecord(fields: Fields): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(Object.fromEntries(Object.entries(fields).map(([name, good]) => [name, fc.oneof({ weight: 3, arbitrary: good }, nasty)])))
    .chain((record) =>
      fc.option(fc.tuple(fc.string({ maxLength: 10 }), fc.anything()), { nil: undefined }).map((extra) => {
        const payload = withoutUndefined(record);
        if (extra && !(extra[0] in fields)) payload[extra[0]] = extra[1];
        return payload;
      }),
    );
}

/** Likewise, and the effects of a report with a nasty field (or an extra one) of their own. */
const mutated = (fields: Fields) =>
  mutatedRecord(
    fields === report
      ? {
          ...report,
          effects: fc.array(fc.oneof({ weight: 3, arbitrary: fc.record(reportEffect) }, mutatedRecord(reportEffect)), { maxLength: 4 }),
        }
      : fields,
  );

describe.each<[string, new () => object, Fields]>([
  ['SideEffectRecordedV1', SideEffectRecordedV1, sideEffect],
  ['ProceduresRecordedV1', ProceduresRecordedV1, procedures],
  ['ReportV1', ReportV1, report],
])('the compiled validator of %s', (_name, contract, fields) => {
  const fast = fastValidator(contract)!;

  it('exists: every decorator of the contract has an exact mapping', () => {
    expect(fast).not.toBeNull();
    expect(contractSchema(contract)).toMatchObject({ type: 'object' });
  });

  it('accepts every valid payload, as class-validator does', () => {
    fc.assert(
      fc.property(valid(fields), (payload) => {
        expect(checkWithClassValidator(contract, payload).ok).toBe(true);
        expect(fast(payload)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  it('never accepts what class-validator rejects, and checkContract always gives class-validator verdict', () => {
    let rejected = 0;
    fc.assert(
      fc.property(mutated(fields), (payload) => {
        const reference = checkWithClassValidator(contract, payload);
        if (fast(payload)) expect(reference.ok).toBe(true);
        const sut = checkContract(contract, payload);
        expect(sut.ok).toBe(reference.ok);
        if (!sut.ok && !reference.ok) expect(sut.problems).toEqual(reference.problems);
        if (!reference.ok) rejected++;
      }),
      { numRuns: 5_000 },
    );
    // The generator must reach both sides of the contract.
    expect(rejected).toBeGreaterThan(250);
  });
});

class Named {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(2)
  name: string;
}

class Holder {
  @IsOptional()
  @ValidateNested()
  @Type(() => Named)
  named?: Named;
}

describe('contracts outside the compiled subset', () => {
  it('fall back to class-validator alone, nested ones too', () => {
    // class-transformer changes the value before class-validator sees it: a schema of the value as sent would say nothing.
    expect(fastValidator(Named)).toBeNull();
    expect(fastValidator(Holder)).toBeNull();
    expect(checkContract(Holder, { named: { name: 'x' } })).toEqual({
      ok: false,
      problems: ['named is invalid'],
    });
    expect(checkContract(Holder, { named: { name: ' xy ' } })).toEqual({ ok: true, data: expect.any(Holder) });
  });
});
