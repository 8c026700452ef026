export * from './vitals-history.js';
export * from './data-gaps.js';
