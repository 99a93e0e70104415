export * from './kafka.js';
export * from './cloud-event.js';
export * from './messaging.module.js';
export * from './read-event.js';
export * from './dead-letters.js';
export * from './event-id.js';
