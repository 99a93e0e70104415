/**
 * Pure statistics for the read side: rate intervals, funnel plots with
 * overdispersion, and disproportionality signals. No framework, database or
 * package imports (a dependency-cruiser rule enforces it).
 */
export * from './special-functions.js';
export * from './proportion.js';
export * from './poisson.js';
export * from './funnel.js';
export * from './disproportionality.js';
export * from './signal-table.js';
export * from './suppression.js';
