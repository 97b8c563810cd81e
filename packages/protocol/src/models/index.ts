export * from './common.js';
export * from './staff.js';
export * from './stay.js';
export * from './message.js';
export * from './conversation.js';
