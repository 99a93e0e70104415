export * from './topic-projection.js';
export * from './inbox.js';
export * from './side-effect-projection.js';
export * from './side-effects.store.js';
export * from './side-effects.projection.js';
export * from './procedures.store.js';
export * from './procedures.projection.js';
