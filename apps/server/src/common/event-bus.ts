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
  | { type: 'presence.changed' };

export abstract class EventBus {
  /**
   * Publishes an event to every instance, this one included. With `tx`, the event is sent inside
   * that transaction and travels only if it commits.
   */
  abstract publish(event: BusEvent, tx?: EntityManager): Promise<void>;
}

/** The Postgres NOTIFY channel of the bus. */
export const BUS_CHANNEL = 'bellhop_bus';

/** Postgres refuses NOTIFY payloads of 8000 bytes or more; stay well below. */
const MAX_PAYLOAD_BYTES = 7_600;

function fits(text: string): boolean {
  return text.length <= MAX_PAYLOAD_BYTES / 4 || Buffer.byteLength(text, 'utf8') <= MAX_PAYLOAD_BYTES;
}

/**
 * Serialises an event into one or more NOTIFY payloads, each below the size limit: lists are
 * split in order, and a message too large to travel is sent by id for the receiver to fetch.
 */
export function encodeBusEvent(event: BusEvent): string[] {
  // The hot path (every group commit): each item is serialised once.
  if (event.type === 'messages.committed') return encodeMessages(event.items);
  const whole = JSON.stringify(event);
  if (fits(whole)) return [whole];
  if (event.type === 'sessions.ended') {
    return splitInto(event.sessionIds, (sessionIds) => ({ type: 'sessions.ended', sessionIds }));
  }
  // Other events are small by construction (ids and names).
  return [whole];
}

const MESSAGES_HEAD = '{"type":"messages.committed","items":[';
const MESSAGES_TAIL = ']}';

function encodeMessages(items: CommittedMessage[]): string[] {
  const out: string[] = [];
  const overhead = MESSAGES_HEAD.length + MESSAGES_TAIL.length;
  let part: string[] = [];
  let size = overhead;
  for (const item of items) {
    let json = JSON.stringify(item);
    if (!fits(json)) json = JSON.stringify({ ...item, message: undefined });
    const itemSize = Buffer.byteLength(json, 'utf8') + 1;
    if (part.length > 0 && size + itemSize > MAX_PAYLOAD_BYTES) {
      out.push(MESSAGES_HEAD + part.join(',') + MESSAGES_TAIL);
      part = [];
      size = overhead;
    }
    part.push(json);
    size += itemSize;
  }
  if (part.length > 0 || out.length === 0) out.push(MESSAGES_HEAD + part.join(',') + MESSAGES_TAIL);
  return out;
}

function splitInto<T>(list: T[], wrap: (part: T[]) => BusEvent): string[] {
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
