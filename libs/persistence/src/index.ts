export * from './data-source-options.js';
export * from './intake-schema/index.js';
export * from './projector-schema/index.js';
export * from './transient-error.js';
export * from './sql-filter.js';
export * from './group-commit.js';
export * from './notification-listener.js';
export * from './prepared-query.js';
