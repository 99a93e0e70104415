import 'reflect-metadata';
import { parseConfig, runApp } from '@smp/config';
import { startHttpApp } from '@smp/http';
import { InsightsConfig } from './insights.config.js';
import { InsightsModule } from './insights.module.js';

await runApp('insights', async () => {
  const config = parseConfig(InsightsConfig);
  await startHttpApp(InsightsModule.forRoot(config), {
    port: config.INSIGHTS_PORT,
    host: config.HTTP_HOST,
    openApi: {
      title: 'SMP Vigil insights',
      description: 'Incidence figures and safety statistics from the read models. Errors are RFC 9457 problem details.',
    },
  });
});
