export * from './durable/classify.js';
export * from './durable/backoff.js';
export * from './durable/isolate.js';
export * from './durable/durable-queue.js';
export * from './dead-letters.js';
export * from './alerts/alert-events.js';
export * from './devices/device-state.js';
