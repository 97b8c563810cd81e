import { Injectable } from '@nestjs/common';
import type { Connection } from './connection.js';

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

/** The open sockets of this instance, indexed the ways fan-out needs them. */
@Injectable()
export class ConnectionRegistry {
  readonly all = new Set<Connection>();
  /** Staff connections, by staff member id. */
  readonly staff = new Map<string, Set<Connection>>();
  /** Guest connections, by their conversation id. */
  private readonly guestsByConversation = new Map<string, Set<Connection>>();
  private readonly bySession = new Map<string, Set<Connection>>();

  add(c: Connection): void {
    this.all.add(c);
    addTo(this.bySession, c.actor.sessionId, c);
    if (c.actor.type === 'staff') addTo(this.staff, c.actor.id, c);
    else addTo(this.guestsByConversation, c.actor.conversationId, c);
  }

  /** True when this was the subject's last connection here. */
  remove(c: Connection): boolean {
    if (!this.all.delete(c)) return false;
    removeFrom(this.bySession, c.actor.sessionId, c);
    if (c.actor.type === 'staff') {
      removeFrom(this.staff, c.actor.id, c);
      return !this.staff.has(c.actor.id);
    }
    removeFrom(this.guestsByConversation, c.actor.conversationId, c);
    return false;
  }

  /** The sessions with a socket here. */
  sessionIds(): string[] {
    return [...this.bySession.keys()];
  }

  ofSession(sessionId: string): Iterable<Connection> {
    return this.bySession.get(sessionId) ?? [];
  }

  guestsOf(conversationId: string): Iterable<Connection> {
    return this.guestsByConversation.get(conversationId) ?? [];
  }

  *staffConnections(): Iterable<Connection> {
    for (const set of this.staff.values()) yield* set;
  }

  /** Everyone who takes part in a conversation: its guest and every staff member. */
  *participants(conversationId: string): Iterable<Connection> {
    yield* this.guestsOf(conversationId);
    yield* this.staffConnections();
  }

  hasParticipants(conversationId: string): boolean {
    return this.staff.size > 0 || this.guestsByConversation.has(conversationId);
  }

  *guests(): Iterable<Connection> {
    for (const set of this.guestsByConversation.values()) yield* set;
  }
}
