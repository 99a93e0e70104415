export * from './topics.js';
export * from './side-effect-recorded.v1.js';
export * from './report.v1.js';
export * from './procedures-recorded.v1.js';
export * from './case-version-ref.v1.js';
export * from './registry.v1.js';
export * from './signal.v1.js';
export * from './contract-validator.js';
