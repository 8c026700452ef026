export * from './schemas.js';
export * from '../errors.js';
export * from './facilities.js';
export * from './devices.js';
export * from './accounts.js';
export * from './snapshot.js';
export * from './views.js';
export * from './residents.js';
