export * from './parse-config.js';
export * from './common.config.js';
export * from './run.js';
