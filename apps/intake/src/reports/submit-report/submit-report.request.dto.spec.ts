import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import { fastValidator } from '@smp/contracts';
import { OUTCOMES, REPORTER_TYPES, SEVERITIES, SEXES, SIDE_EFFECT_CATEGORIES, SKIN_CONDITIONS } from '@smp/domain';
import { createValidationPipe, ProblemError, VALIDATION_PIPE_OPTIONS } from '@smp/http';
import { FollowUpReportRequestDto } from '../follow-up-report/follow-up-report.request.dto.js';
import { SubmitReportRequestDto } from './submit-report.request.dto.js';

// The intake's validation pipe answers a body through an ajv function compiled from the DTO's decorators when that
// function accepts it (ShortcutValidationPipe, libs/http). These properties hold it to Nest's own pipe with the same
// options, on generated bodies: valid ones, and ones broken anywhere (a field missing, given a nasty value, or one
// more), at every level of nesting.

const day = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const identifier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

type Json = Record<string, unknown>;

const effect = fc.record(
  {
    category: fc.constantFrom(...SIDE_EFFECT_CATEGORIES),
    onsetDate: day,
    severity: fc.constantFrom(...SEVERITIES),
    persistent: fc.boolean(),
    description: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ['category', 'onsetDate', 'severity'] },
);

/** A report names its clinic and procedure date, or the procedureRef that fixes them (or both). */
const report = fc
  .tuple(
    identifier,
    day,
    fc.record(
      {
        clinicId: identifier,
        procedureRef: fc.stringMatching(/^PR-[A-Z2-9]{10}$/),
        pigmentId: identifier,
        procedureDate: day,
        sessionNumber: fc.integer({ min: 1, max: 20 }),
        reporter: fc.record(
          {
            type: fc.constantFrom(...REPORTER_TYPES),
            contact: fc.record(
              {
                email: fc.stringMatching(/^[a-z]{1,10}\.?[a-z]{1,5}@[a-z]{2,10}\.(org|com|de)$/),
                phone: fc.stringMatching(/^\+?[0-9 ()-]{5,30}$/),
              },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: ['type'] },
        ),
        patient: fc.record(
          {
            ageYears: fc.integer({ min: 0, max: 120 }),
            sex: fc.constantFrom(...SEXES),
            skinConditions: fc.uniqueArray(fc.constantFrom(...SKIN_CONDITIONS)),
          },
          { requiredKeys: [] },
        ),
        effects: fc.array(effect, { minLength: 1, maxLength: 10 }),
        outcome: fc.constantFrom(...OUTCOMES),
        medicalIntervention: fc.boolean(),
        hospitalized: fc.boolean(),
        riskFactors: fc.record(
          { aftercareFollowed: fc.boolean(), sunExposureWithoutProtection: fc.boolean(), patchTestDone: fc.boolean() },
          { requiredKeys: [] },
        ),
        narrative: fc.string({ maxLength: 80 }),
      },
      { requiredKeys: ['reporter', 'effects'] },
    ),
  )
  .map(([clinicId, procedureDate, body]): Json => (body.procedureRef === undefined ? { clinicId, procedureDate, ...body } : body));

const followUp = fc.record(
  {
    outcome: fc.constantFrom(...OUTCOMES),
    addEffects: fc.array(effect, { maxLength: 10 }),
    withdrawCategories: fc.uniqueArray(fc.constantFrom(...SIDE_EFFECT_CATEGORIES)),
    medicalIntervention: fc.boolean(),
    hospitalized: fc.boolean(),
    medicalInformation: fc.string({ maxLength: 80 }),
  },
  { requiredKeys: [] },
);

// Values near the edges the decorators draw: wrong types, empty and over-long strings, strings that almost match,
// dates that do not exist, numbers at and around the bounds, lists that repeat, objects and lists where the other is
// expected.
const nasty = fc.oneof(
  fc.constantFrom(
    null,
    '',
    ' ',
    0,
    -1,
    1.5,
    121,
    21,
    '1',
    true,
    'true',
    [],
    {},
    [{}],
    ['eczema', 'eczema'],
    ['infection', 'infection'],
    'x'.repeat(64),
    'x'.repeat(65),
    `${'x'.repeat(63)}\uFE0F`,
    '2026-02-30',
    '2026-1-01',
    '2026-01-01T00:00:00Z',
    'PR-7KQ2M9XHT0',
    'infection',
    'INFECTION',
    'client',
    'a@b',
    'a@b.c',
    'not an email',
    '+49 (30) 1234',
    '12',
    { type: 'client' },
    [{ category: 'infection', onsetDate: '2026-01-01', severity: 'mild' }],
  ),
  fc.emailAddress(),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -3, max: 130 }),
  fc.double(),
  fc.anything(),
);

/** Every object in a body (the body itself, nested objects, objects in lists), to break one of them. */
function objectsIn(value: unknown, found: Json[] = []): Json[] {
  if (Array.isArray(value)) for (const item of value) objectsIn(item, found);
  else if (value !== null && typeof value === 'object') {
    found.push(value as Json);
    for (const item of Object.values(value)) objectsIn(item, found);
  }
  return found;
}

/** A valid body broken in one to three places: a field removed, given a nasty value, or one more field. */
const broken = (valid: fc.Arbitrary<Json>) =>
  fc
    .tuple(
      valid,
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('remove', 'replace', 'add'), nasty, fc.string({ maxLength: 8 })), {
        minLength: 1,
        maxLength: 3,
      }),
    )
    .map(([body, breaks]) => {
      const copy = structuredClone(body);
      for (const [at, field, how, value, name] of breaks) {
        const objects = objectsIn(copy);
        const target = objects[at % objects.length]!;
        const keys = Object.keys(target);
        if (how === 'add' || keys.length === 0) target[name || 'extra'] = value;
        else if (how === 'remove') delete target[keys[field % keys.length]!];
        else target[keys[field % keys.length]!] = value;
      }
      return copy;
    });

type Outcome = { passed: unknown } | { refused: { status: number; errors: unknown } };

async function outcomeOf(pipe: ValidationPipe, body: unknown, metatype: new () => object): Promise<Outcome> {
  const metadata: ArgumentMetadata = { type: 'body', metatype, data: undefined };
  try {
    return { passed: await pipe.transform(structuredClone(body), metadata) };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { refused: { status: error.status, errors: error.errors } };
  }
}

describe.each<[string, new () => object, fc.Arbitrary<Json>]>([
  ['SubmitReportRequestDto', SubmitReportRequestDto, report],
  ['FollowUpReportRequestDto', FollowUpReportRequestDto, followUp],
])('the validation pipe on a %s body', (_name, dto, valid) => {
  const pipe = createValidationPipe();
  const reference = new ValidationPipe(VALIDATION_PIPE_OPTIONS);
  const compiled = fastValidator(dto, { closed: true })!;

  it('has a compiled validator: every decorator of the DTO has a mapping', () => {
    expect(compiled).not.toBeNull();
  });

  it('passes valid bodies through the compiled validator, into the DTO Nest makes of them', async () => {
    let fast = 0;
    await fc.assert(
      fc.asyncProperty(valid, async (body) => {
        const expected = await outcomeOf(reference, body, dto);
        expect(expected).toHaveProperty('passed');
        expect(await outcomeOf(pipe, body, dto)).toStrictEqual(expected);
        // @ValidateIf is left out of the compiled validator: a report by procedureRef alone takes the full way.
        const conditional = dto === SubmitReportRequestDto && (body.clinicId === undefined || body.procedureDate === undefined);
        if (!conditional) expect(compiled(structuredClone(body))).toBe(true);
        if (compiled(structuredClone(body))) fast++;
      }),
      { numRuns: 500 },
    );
    expect(fast).toBeGreaterThan(100);
  });

  it('never lets through what Nest refuses, and refuses with the same problem document', async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(broken(valid), async (body) => {
        const expected = await outcomeOf(reference, body, dto);
        if (compiled(structuredClone(body))) expect(expected).toHaveProperty('passed');
        expect(await outcomeOf(pipe, body, dto)).toStrictEqual(expected);
        if ('refused' in expected) refused++;
      }),
      { numRuns: 2_000 },
    );
    // The breaks must reach both sides of the DTO.
    expect(refused).toBeGreaterThan(800);
  });
});
