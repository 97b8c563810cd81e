export * from './limits.js';
export * from './close-codes.js';
export * from './errors.js';
export * from './join-code.js';
export * from './models/index.js';
export * from './http/index.js';
export * from './ws/index.js';
