import type { Message } from '@bellhop/protocol';
import type { EntityManager } from 'typeorm';

/** A committed message as it travels between instances: whole when it fits a notification, else by id. */
export interface CommittedMessage {
  /** The whole message, or absent when it did not fit (then fetch it by `id`). */
  message?: Message;
  id: string;
  conversationId: string;
  seq: number;
  /** The sending connection, which gets `message.ack` instead of `message.new`. */
  origin?: string;
}

/**
 * Events that must reach every server instance (each delivers them to its own sockets).
 * The realtime module implements the bus over Postgres LISTEN/NOTIFY.
 */
export type BusEvent =
  /** These sessions ended (logout, reuse, disable, new password, check-out): close their sockets with 4401. */
  | { type: 'sessions.ended'; sessionIds: string[] }
  /** A conversation was created or its status, assignee or stay changed: staff get `conversation.updated`. */
  | { type: 'conversation.changed'; conversationId: string }
  /** Messages committed in one transaction, in seq order per conversation. */
  | { type: 'messages.committed'; items: CommittedMessage[] }
  /** A read cursor moved forward. */
  | { type: 'conversation.read'; conversationId: string; reader: { type: 'guest' | 'staff'; id: string }; seq: number; origin?: string }
  /** Someone is (or stopped) typing; not stored. */
  | { type: 'typing'; conversationId: string; who: { type: 'guest' | 'staff'; id: string; name: string }; active: boolean }
  /** The set of connected staff members may have changed somewhere. */
  | { type: 'presence.changed' }
  /** A staff member's displayName changed: their open sockets send and type under the new name. */
  | { type: 'staff.renamed'; staffId: string; name: string };

/**
 * Events published from the application. `messages.committed` is not among them: it is sent only
 * by the group commit's database function (migration SendBatchFunction), inside its transaction.
 */
export type PublishedEvent = Exclude<BusEvent, { type: 'messages.committed' }>;

export abstract class EventBus {
  /**
   * Publishes an event to every instance, this one included. With `tx`, the event is sent inside
   * that transaction and travels only if it commits.
   */
  abstract publish(event: PublishedEvent, tx?: EntityManager): Promise<void>;
}

/** The Postgres NOTIFY channel of the bus. */
export const BUS_CHANNEL = 'bellhop_bus';

/** Postgres refuses NOTIFY payloads of 8000 bytes or more; stay well below. */
const MAX_PAYLOAD_BYTES = 7_600;

function fits(text: string): boolean {
  return text.length <= MAX_PAYLOAD_BYTES / 4 || Buffer.byteLength(text, 'utf8') <= MAX_PAYLOAD_BYTES;
}

/** Serialises an event into one or more NOTIFY payloads, each below the size limit (lists are split in order). */
export function encodeBusEvent(event: PublishedEvent): string[] {
  const whole = JSON.stringify(event);
  if (fits(whole)) return [whole];
  if (event.type === 'sessions.ended') {
    return splitInto(event.sessionIds, (sessionIds) => ({ type: 'sessions.ended', sessionIds }));
  }
  // Other events are small by construction (ids and names).
  return [whole];
}

function splitInto<T>(list: T[], wrap: (part: T[]) => PublishedEvent): string[] {
  const overhead = Buffer.byteLength(JSON.stringify(wrap([])), 'utf8');
  const out: string[] = [];
  let part: T[] = [];
  let size = overhead;
  for (const item of list) {
    const itemSize = Buffer.byteLength(JSON.stringify(item), 'utf8') + 1;
    if (part.length > 0 && size + itemSize > MAX_PAYLOAD_BYTES) {
      out.push(JSON.stringify(wrap(part)));
      part = [];
      size = overhead;
    }
    part.push(item);
    size += itemSize;
  }
  if (part.length > 0) out.push(JSON.stringify(wrap(part)));
  return out;
}
