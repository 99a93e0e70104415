import 'reflect-metadata';
import { parseConfig, runApp } from '@smp/config';
import { startHttpApp } from '@smp/http';
import { IntakeConfig } from './intake.config.js';
import { IntakeModule } from './intake.module.js';

await runApp('intake', async () => {
  const config = parseConfig(IntakeConfig);
  await startHttpApp(IntakeModule.forRoot(config), {
    port: config.INTAKE_PORT,
    host: config.HTTP_HOST,
    openApi: {
      title: 'SMP Vigil intake',
      description:
        'Adverse-event reports of scalp micropigmentation: reports, follow-ups, nullification, procedures, clinics, pigments and API keys. Errors are RFC 9457 problem details.',
    },
  });
});
