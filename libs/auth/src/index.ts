export * from './api-key.js';
export * from './api-key.store.js';
export * from './api-key.guard.js';
export * from './auth.module.js';
