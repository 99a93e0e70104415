import 'reflect-metadata';
import { parseConfig, runApp } from '@smp/config';
import { startHttpApp } from '@smp/http';
import { IntakeConfig } from './intake.config.js';
import { IntakeModule } from './intake.module.js';

await runApp('intake', async () => {
  const config = parseConfig(IntakeConfig);
  await startHttpApp(IntakeModule.forRoot(config), { port: config.INTAKE_PORT, host: config.HTTP_HOST });
});
