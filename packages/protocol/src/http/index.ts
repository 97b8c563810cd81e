export * from './auth.js';
export * from './stays.js';
export * from './conversations.js';
export * from './staff.js';
export * from './health.js';
