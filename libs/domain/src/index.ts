export * from './side-effect.js';
export * from './calendar.js';
export * from './case-id.js';
export * from './seriousness.js';
export * from './report-rules.js';
export * from './business-days.js';
export * from './follow-up.js';
export * from './duplicates.js';
