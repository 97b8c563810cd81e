export * from './client-frames.js';
export * from './server-frames.js';
export * from './parse.js';
