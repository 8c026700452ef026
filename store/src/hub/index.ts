export * from './facility-summary.js';
export * from './region-queries.js';
export * from './region-writes.js';
export * from './region-plans.js';
