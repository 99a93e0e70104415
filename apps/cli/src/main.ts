import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CommonConfig, parseConfig, runApp } from '@smp/config';
import { CliModule } from './cli.module.js';

/** Operators' CLI: `npm run cli -- <command>`; `npm run cli -- --help` lists the commands. */
await runApp('smp-vigil', async () => {
  const config = parseConfig(CommonConfig);
  await CommandFactory.run(CliModule.forRoot(config), {
    logger: ['warn', 'error'],
    errorHandler: (error) => {
      console.error(error.message);
      process.exit(1);
    },
  });
});
