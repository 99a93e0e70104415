export * from './app-metrics.js';
export * from './metrics.module.js';
