import { CommonConfig } from './common.config.js';
import { ConfigError, parseConfig } from './parse-config.js';

describe(parseConfig.name, () => {
  it('uses the embedded defaults when nothing is set', () => {
    const sut = parseConfig(CommonConfig, {});
    expect(sut.DATABASE_URL).toBe('postgres://postgres:postgres@127.0.0.1:5433/smp_vigil');
    expect(sut.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(sut.DATABASE_POOL_SIZE).toBe(20);
  });

  it('converts numbers and lists from the environment', () => {
    const sut = parseConfig(CommonConfig, { DATABASE_POOL_SIZE: '7', KAFKA_BROKERS: 'a:1,b:2' });
    expect(sut.DATABASE_POOL_SIZE).toBe(7);
    expect(sut.kafkaBrokers).toEqual(['a:1', 'b:2']);
  });

  it('stops with a sentence naming the variable and the value', () => {
    expect(() => parseConfig(CommonConfig, { DATABASE_URL: 'mysql://x' })).toThrow(
      new ConfigError('Environment variable DATABASE_URL="mysql://x" is invalid: must be a postgres:// URL.'),
    );
    expect(() => parseConfig(CommonConfig, { DATABASE_POOL_SIZE: 'many' })).toThrow(/DATABASE_POOL_SIZE="many"/);
  });
});
