import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CloseCode, type Message } from '@bellhop/protocol';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../common/app-exception.js';
import type { BusEvent, CommittedMessage } from '../../common/event-bus.js';
import { LOGGER } from '../../common/logger.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { MessagesService } from '../messages/messages.service.js';
import { ClusterService } from './cluster.service.js';
import { encode } from './connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import { PgEventBus } from './pg-event-bus.js';
import { RealtimeRepository } from './realtime.repository.js';

/** Runs async jobs one after another, in the order queued. */
class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  push(job: () => Promise<void>): void {
    this.tail = this.tail.then(job, job);
  }
}

/** Clock difference between this process and Postgres that a catch-up tolerates. */
const CATCH_UP_MARGIN_MS = 5_000;

/** Conversations announced per query after a bus outage. */
const ANNOUNCE_CHUNK = 200;

/**
 * Delivers committed events from the bus to this instance's sockets. Messages go out per
 * conversation in seq order, each exactly once: a gap (a notification lost while the bus was
 * reconnecting) is filled from the database before the next message is delivered. After the bus
 * was down, the other events it may have lost are made good from the database (catchUpEvents).
 */
@Injectable()
export class FanoutService implements OnModuleInit {
  private readonly logger: Logger;
  private readonly messageQueue = new SerialQueue();
  private readonly conversationQueue = new SerialQueue();
  /** Highest seq delivered here, per conversation. */
  private readonly delivered = new Map<string, number>();

  constructor(
    private readonly bus: PgEventBus,
    private readonly registry: ConnectionRegistry,
    private readonly cluster: ClusterService,
    private readonly messages: MessagesService,
    private readonly conversations: ConversationsService,
    private readonly repo: RealtimeRepository,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'fanout' });
  }

  onModuleInit(): void {
    this.bus.subscribe((event) => this.onEvent(event));
    // Messages first: a read receipt or a conversation's summary never gets ahead of them.
    this.bus.onReconnect((lostAt) =>
      this.messageQueue.push(async () => {
        await this.catchUp(lostAt);
        this.conversationQueue.push(() => this.catchUpEvents(lostAt));
      }),
    );
  }

  private onEvent(event: BusEvent): void {
    switch (event.type) {
      case 'messages.committed':
        this.messageQueue.push(() => this.deliverMessages(event.items));
        break;
      case 'conversation.changed':
        this.conversationQueue.push(() => this.announceConversations([event.conversationId]));
        break;
      case 'conversation.read':
        this.passOnRead(event.conversationId, event.reader, event.seq, event.origin);
        this.conversationQueue.push(() => this.announceConversations([event.conversationId]));
        break;
      case 'typing': {
        const frame = encode('typing', { conversationId: event.conversationId, who: event.who, active: event.active });
        for (const c of this.registry.participants(event.conversationId)) {
          if (c.actor.type !== event.who.type || c.actor.id !== event.who.id) c.send(frame);
        }
        break;
      }
      case 'sessions.ended':
        this.closeSessions(event.sessionIds);
        break;
      case 'presence.changed':
        this.cluster.refreshPresence();
        break;
      case 'staff.renamed':
        // On the queue of the catch-up after an outage, so that its older reading of the names
        // never lands after a rename heard since.
        this.conversationQueue.push(async () => this.renameStaff(event.staffId, event.name));
        break;
    }
  }

  private async deliverMessages(items: CommittedMessage[]): Promise<void> {
    const wanted = items.filter((i) => this.registry.hasParticipants(i.conversationId));
    const missing = wanted.filter((i) => !i.message).map((i) => i.id);
    const fetched = new Map<string, Message>();
    if (missing.length > 0) {
      try {
        for (const m of await this.messages.byIds(missing)) fetched.set(m.id, m);
      } catch (err) {
        this.warn(err, 'could not fetch messages to deliver');
      }
    }
    for (const item of items) {
      const last = this.delivered.get(item.conversationId);
      if (last !== undefined && item.seq <= last) continue;
      if (!this.registry.hasParticipants(item.conversationId)) {
        this.delivered.set(item.conversationId, item.seq);
        continue;
      }
      if (last !== undefined && item.seq > last + 1) await this.fill(item.conversationId, last + 1, item.seq - 1);
      const message = item.message ?? fetched.get(item.id);
      if (message) this.deliver(message, item.origin);
      this.delivered.set(item.conversationId, item.seq);
    }
  }

  private async fill(conversationId: string, fromSeq: number, toSeq: number): Promise<void> {
    try {
      for (const m of await this.messages.range(conversationId, fromSeq, toSeq)) this.deliver(m);
    } catch (err) {
      // Clients still catch up through conversation.sync.
      this.warn(err, 'could not fill a delivery gap');
    }
  }

  private deliver(message: Message, origin?: string): void {
    const frame = encode('message.new', { message });
    for (const c of this.registry.participants(message.conversationId)) if (c.id !== origin) c.send(frame);
  }

  /** After the bus was down: deliver what was committed meanwhile, in order. */
  private async catchUp(lostAt: Date): Promise<void> {
    try {
      const since = new Date(lostAt.getTime() - CATCH_UP_MARGIN_MS);
      for (const { id, lastSeq } of await this.repo.activeSince(since)) {
        if (!this.registry.hasParticipants(id)) continue;
        const last = this.delivered.get(id) ?? ((await this.repo.firstSeqSince(id, since)) ?? lastSeq + 1) - 1;
        if (lastSeq > last) await this.fill(id, last + 1, lastSeq);
        this.delivered.set(id, Math.max(last, lastSeq));
      }
    } catch (err) {
      this.warn(err, 'catch-up after a bus outage failed');
    }
  }

  /**
   * After the bus was down, what its other events would have said: sockets of sessions ended
   * meanwhile close with 4401, staff sockets take up display names changed meanwhile, read
   * cursors moved meanwhile are passed on (`conversation.read`), and staff get
   * `conversation.updated` for every conversation changed or read meanwhile.
   */
  private async catchUpEvents(lostAt: Date): Promise<void> {
    try {
      this.closeSessions(await this.repo.endedSessions(this.registry.sessionIds()));
      for (const [staffId, name] of await this.repo.staffNames([...this.registry.staff.keys()])) this.renameStaff(staffId, name);
      const { reads, conversationIds } = await this.repo.changedSince(new Date(lostAt.getTime() - CATCH_UP_MARGIN_MS));
      for (const r of reads) this.passOnRead(r.conversationId, { type: r.readerType, id: r.readerId }, r.seq, r.origin ?? undefined);
      for (let i = 0; i < conversationIds.length; i += ANNOUNCE_CHUNK) await this.announceConversations(conversationIds.slice(i, i + ANNOUNCE_CHUNK));
    } catch (err) {
      this.warn(err, 'catch-up of sessions and conversations after a bus outage failed');
    }
  }

  /** This instance's sockets of the staff member send and type under `name` from now on. */
  private renameStaff(staffId: string, name: string): void {
    for (const c of this.registry.staff.get(staffId) ?? []) c.actor.name = name;
  }

  /** Closes this instance's sockets of these (ended) sessions with 4401. */
  private closeSessions(sessionIds: string[]): void {
    for (const sessionId of sessionIds) {
      for (const c of [...this.registry.ofSession(sessionId)]) c.close(CloseCode.Unauthorized, 'session ended');
    }
  }

  /** `conversation.read` to the conversation's participants here, but the connection that read (`origin`). */
  private passOnRead(conversationId: string, reader: { type: 'guest' | 'staff'; id: string }, seq: number, origin?: string): void {
    if (!this.registry.hasParticipants(conversationId)) return;
    const frame = encode('conversation.read', { conversationId, reader, seq });
    for (const c of this.registry.participants(conversationId)) if (c.id !== origin) c.send(frame);
  }

  /** `conversation.updated` for each conversation to every local staff connection, with each member's own unread count. */
  private async announceConversations(conversationIds: string[]): Promise<void> {
    const staffIds = [...this.registry.staff.keys()];
    if (staffIds.length === 0) return;
    try {
      const summaries = await this.conversations.summariesForStaff(conversationIds, staffIds);
      for (const conversationId of conversationIds) {
        for (const [staffId, conversation] of summaries.get(conversationId) ?? []) {
          const frame = encode('conversation.updated', { conversation });
          for (const c of this.registry.staff.get(staffId) ?? []) c.send(frame);
        }
      }
    } catch (err) {
      this.warn(err, 'could not announce a conversation change');
    }
  }

  private warn(err: unknown, msg: string): void {
    const e = err as { message?: string; code?: string };
    if (isDatabaseUnavailable(err)) this.logger.warn({ err: { message: e.message, code: e.code } }, msg);
    else this.logger.error({ err: { message: e.message, code: e.code } }, msg);
  }
}
