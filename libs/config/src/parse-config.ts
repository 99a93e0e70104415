import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Parses environment variables into a validated, typed config object once, at
 * start-up. A wrong value stops the app with a sentence naming the variable.
 */
export function parseConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new schema();
  const given = Object.fromEntries(
    Object.keys(defaults).flatMap((name) => (env[name] === undefined || env[name] === '' ? [] : [[name, env[name]]])),
  );
  const config = plainToInstance(schema, { ...defaults, ...given }, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(errors.map((error) => describe(error, env)).join(' '));
  }
  return config;
}

function describe(error: ValidationError, env: NodeJS.ProcessEnv): string {
  const given = env[error.property];
  const problems = Object.values(error.constraints ?? {}).join('; ');
  return given === undefined
    ? `Environment variable ${error.property} is invalid: ${problems}.`
    : `Environment variable ${error.property}="${given}" is invalid: ${problems}.`;
}
