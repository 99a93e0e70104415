import { ConfigError } from './parse-config.js';

/**
 * Runs an app's start-up; a configuration mistake ends the process with the
 * sentence that names the variable instead of a stack trace.
 */
export async function runApp(name: string, start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${name}: ${error.message}`);
    } else {
      console.error(`${name} failed to start:`, error);
    }
    process.exit(1);
  }
}
