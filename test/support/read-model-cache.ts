import type { DataSource } from 'typeorm';
import { AppMetrics } from '@smp/observability';
import { InsightsConfig } from '../../apps/insights/src/insights.config.js';
import { ReadModelCache } from '../../apps/insights/src/read-model/read-model-cache.js';

/** Insights' cache over `db`, listening for the projector's notifications, with every change a new version at once. */
export async function listeningCache(db: DataSource, settings: Partial<InsightsConfig> = {}): Promise<ReadModelCache> {
  const config = Object.assign(new InsightsConfig(), {
    DATABASE_URL: (db.options as { url: string }).url,
    INSIGHTS_CACHE_WINDOW_MS: 0,
    ...settings,
  });
  const cache = new ReadModelCache(config, new AppMetrics('insights', { processMetrics: false }));
  await cache.onApplicationBootstrap();
  return cache;
}
