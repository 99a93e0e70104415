import { isTransientDatabaseError } from './transient-error.js';

describe(isTransientDatabaseError.name, () => {
  const sut = isTransientDatabaseError;

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [
      'a session terminated by a stopping server',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ],
    ['a server starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['TypeORM wrapping a dropped connection', { name: 'QueryFailedError', message: 'x', driverError: { code: '08006' } }],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a broken client taken from the pool', new Error('Client has encountered a connection error and is not queryable')],
    ['a connect timeout', new Error('timeout exceeded when trying to connect')],
    [
      'a transaction whose connection TypeORM released when the server went away',
      Object.assign(new Error('Database connection provided by a query runner was already released'), {
        name: 'QueryRunnerProviderAlreadyReleasedError',
      }),
    ],
    ['a cause chain', new Error('command failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) })],
    [
      'every address refused',
      new AggregateError([
        Object.assign(new Error('a'), { code: 'ECONNREFUSED' }),
        Object.assign(new Error('b'), { code: 'ECONNREFUSED' }),
      ]),
    ],
  ])('treats %s as transient', (_name, error) => {
    expect(sut(error)).toBe(true);
  });

  it.each([
    ['a unique violation', { message: 'duplicate key value violates unique constraint', code: '23505' }],
    ['a syntax error', { message: 'syntax error at or near', driverError: { code: '42601' } }],
    ['a plain error', new Error('boom')],
    ['nothing', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('does not treat %s as transient', (_name, error) => {
    expect(sut(error)).toBe(false);
  });
});
