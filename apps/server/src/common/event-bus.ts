import type { EntityManager } from 'typeorm';

/**
 * Events that must reach every server instance (each delivers them to its own sockets).
 * The realtime module implements the bus over Postgres LISTEN/NOTIFY.
 */
export type BusEvent =
  /** These sessions ended (logout, reuse, disable, new password, check-out): close their sockets with 4401. */
  | { type: 'sessions.ended'; sessionIds: string[] }
  /** A conversation was created or its status, assignee or stay changed: staff get `conversation.updated`. */
  | { type: 'conversation.changed'; conversationId: string };

export abstract class EventBus {
  /**
   * Publishes an event to every instance, this one included. With `tx`, the event is sent inside
   * that transaction and travels only if it commits.
   */
  abstract publish(event: BusEvent, tx?: EntityManager): Promise<void>;
}
