import { Type, plainToInstance } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import {
  MAX_REQUEST_DEPTH,
  missingBody,
  NestedObjectsPipe,
  notAnObjectBody,
  unstorableInput,
  unsupportedMediaType,
} from './request-limits.js';

describe(unstorableInput.name, () => {
  const sut = unstorableInput;
  const nested = (depth: number) => {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
    return value;
  };

  it('accepts ordinary requests, unicode included', () => {
    expect(sut({ narrative: 'Zoë 👩‍👩‍👧 ‮ ﬃ', effects: [{ category: 'other' }] }, 'body')).toBeUndefined();
    expect(sut(nested(MAX_REQUEST_DEPTH), 'body')).toBeUndefined();
    expect(sut(undefined, 'query')).toBeUndefined();
  });

  it('refuses nesting past the limit without recursing', () => {
    expect(sut(nested(MAX_REQUEST_DEPTH + 1), 'body')).toMatchObject({ status: 400, code: 'too-deep' });
    expect(sut(nested(200_000), 'body')).toMatchObject({ status: 400, code: 'too-deep' });
  });

  it.each([
    ['a NUL in a value', { narrative: 'a\u0000b' }],
    ['a NUL in a key', { ['a\u0000']: 1 }],
    ['an unpaired high surrogate', { narrative: '\ud800' }],
    ['an unpaired low surrogate deep down', { effects: [{ description: 'x\udfff' }] }],
  ])('refuses %s', (_name, input) => {
    expect(sut(input, 'body')).toMatchObject({ status: 400, code: 'unstorable-text' });
  });

  it('refuses an array inside an array', () => {
    expect(sut({ effects: [[]] }, 'body')).toMatchObject({ status: 400, code: 'validation-failed' });
    expect(sut({ effects: [{ category: 'other' }], withdrawCategories: ['other'] }, 'body')).toBeUndefined();
  });

  it.each(['__proto__', 'constructor', 'prototype', 'valueOf', 'toString', 'hasOwnProperty'])('refuses a %s key anywhere', (key) => {
    const body = JSON.parse(`{"reporter": {"${key}": {"polluted": true}}}`);
    expect(sut(body, 'body')).toMatchObject({ status: 400, code: 'validation-failed' });
  });
});

describe(notAnObjectBody.name, () => {
  it.each([null, [], [{}], 'text', 0, true])('refuses the body %j', (body) => {
    expect(notAnObjectBody(body)).toMatchObject({ status: 400 });
  });

  it('accepts an object, or no body at all', () => {
    expect(notAnObjectBody({})).toBeUndefined();
    expect(notAnObjectBody(undefined)).toBeUndefined();
  });
});

class Effect {
  @IsString()
  category: string;
}

class Patient {
  @IsOptional()
  @IsString()
  sex?: string;
}

class Report {
  @IsOptional()
  @ValidateNested()
  @Type(() => Patient)
  patient?: Patient;

  @ValidateNested({ each: true })
  @Type(() => Effect)
  effects: Effect[];
}

describe(NestedObjectsPipe.name, () => {
  const sut = new NestedObjectsPipe();
  const body = (plain: object) => sut.transform(plainToInstance(Report, plain), { type: 'body', metatype: Report });

  it('passes objects where objects are expected', () => {
    expect(() => body({ patient: { sex: 'male' }, effects: [{ category: 'other' }] })).not.toThrow();
    expect(() => body({ effects: [] })).not.toThrow();
  });

  it.each([
    ['an array for an object', { patient: [], effects: [{ category: 'other' }] }, 'patient'],
    ['an array for a list item', { effects: [[]] }, 'effects[0]'],
    ['a string for a list item', { effects: ['other'] }, 'effects[0]'],
  ])('refuses %s, naming the field', (_name, plain, field) => {
    expect(() => body(plain)).toThrow(expect.objectContaining({ status: 400, errors: [expect.objectContaining({ field })] }));
  });

  it('refuses a missing body where the route takes a request object', () => {
    expect(() => sut.transform(undefined, { type: 'body', metatype: Report })).toThrow(expect.objectContaining({ status: 400 }));
    expect(sut.transform(undefined, { type: 'body', metatype: Object })).toBeUndefined();
  });

  it('leaves query and path parameters to the validation pipe', () => {
    expect(sut.transform({ patient: [] }, { type: 'query' })).toEqual({ patient: [] });
  });
});

describe(unsupportedMediaType.name, () => {
  it('refuses a write of any media type but JSON, with a body or without (a form would parse into an object)', () => {
    expect(unsupportedMediaType('POST', 'application/x-www-form-urlencoded')).toMatchObject({ status: 415 });
    expect(unsupportedMediaType('POST', 'text/plain; charset=utf-8')).toMatchObject({ status: 415 });
    expect(unsupportedMediaType('PUT', 'multipart/form-data; boundary=x')).toMatchObject({ status: 415 });
  });

  it('lets JSON writes, writes without a declared type, and reads through', () => {
    expect(unsupportedMediaType('POST', 'application/json')).toBeUndefined();
    expect(unsupportedMediaType('POST', 'Application/JSON; charset=utf-8')).toBeUndefined();
    expect(unsupportedMediaType('POST', undefined)).toBeUndefined();
    expect(unsupportedMediaType('GET', 'text/plain')).toBeUndefined();
    expect(unsupportedMediaType('DELETE', 'application/x-www-form-urlencoded')).toBeUndefined();
  });
});

describe(missingBody.name, () => {
  it('refuses a write without a body', () => {
    expect(missingBody('POST', undefined)).toMatchObject({ status: 400 });
    expect(missingBody('PATCH', undefined)).toMatchObject({ status: 400 });
  });

  it('lets reads and writes with a body through', () => {
    expect(missingBody('GET', undefined)).toBeUndefined();
    expect(missingBody('POST', {})).toBeUndefined();
  });
});
