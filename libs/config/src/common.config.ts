import { IsIn, IsInt, IsIP, IsString, Matches, Max, Min } from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** What every app needs: where Postgres and Kafka are, and how loud to log. */
export class CommonConfig {
  /** Defaults to the embedded Postgres that `npm start` runs. */
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres:postgres@127.0.0.1:5433/smp_vigil';

  /** Comma-separated host:port list. Defaults to the broker `npm start` runs. */
  @Matches(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, { message: 'must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: string = 'info';

  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE: number = 20;

  /** Interface the HTTP apps listen on; loopback unless deployed (e.g. 0.0.0.0 in a container). */
  @IsIP(undefined, { message: 'must be an IP address such as 127.0.0.1 or 0.0.0.0' })
  HTTP_HOST: string = '127.0.0.1';

  @IsString()
  KAFKA_CLIENT_ID: string = 'smp-vigil';

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',');
  }
}

export function portSetting(): PropertyDecorator {
  return (target, key) => {
    IsInt({ message: `${String(key)} must be an integer port` })(target, key);
    Min(1)(target, key);
    Max(65535)(target, key);
  };
}
