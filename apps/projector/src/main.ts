import 'reflect-metadata';
import { parseConfig, runApp } from '@smp/config';
import { startHttpApp } from '@smp/http';
import { ProjectorConfig } from './projector.config.js';
import { ProjectorModule } from './projector.module.js';

await runApp('projector', async () => {
  const config = parseConfig(ProjectorConfig);
  // The projector's HTTP port serves only its health; the work is the Kafka consumer.
  await startHttpApp(ProjectorModule.forRoot(config), { port: config.PROJECTOR_PORT, host: config.HTTP_HOST });
});
