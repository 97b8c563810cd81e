export * from './RealtimeClient';
export { Outbox, OutboxStatus, type OutboxEntry, type StorageLike } from './outbox';
export { backoffDelay } from './backoff';
export { createRealtimeClient } from './browser';
export { useConnectionState } from './useConnectionState';
