export * from './problem.js';
export * from './validation.js';
export * from './problem-details.filter.js';
export * from './correlation-id.js';
export * from './logging.js';
export * from './bootstrap.js';
export * from './health/health.module.js';
export * from './validators.js';
