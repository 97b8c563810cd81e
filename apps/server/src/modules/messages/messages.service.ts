import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { Limits, type ConversationSyncData, type HistoryPage, type HistoryQuery, type Message, type MessageSendData } from '@bellhop/protocol';
import type { Logger } from 'pino';
import type { Actor } from '../../common/actor.js';
import { isDatabaseUnavailable } from '../../common/app-exception.js';
import { LOGGER } from '../../common/logger.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { MetricsService } from '../health/metrics.service.js';
import { MessagesException } from './messages.exception.js';
import { DuplicateRaceError, MessagesRepository, type SendOutcome, type SendRequest } from './messages.repository.js';

/** Group commit: a send waits at most this long for others to share its transaction... */
export const BATCH_WINDOW_MS = 2;
/** ...or until this many are queued. */
export const BATCH_MAX = 100;
/** A unique-violation race with another instance is retried this many times. */
const RACE_RETRIES = 3;

interface Pending {
  request: SendRequest;
  receivedAt: number;
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
}

/**
 * The one place messages are stored. Sends are queued and committed in batches, one
 * transaction at a time, in arrival order: so the sends of one connection get increasing seqs,
 * and an ack is only ever answered after its COMMIT.
 */
@Injectable()
export class MessagesService implements BeforeApplicationShutdown {
  private readonly logger: Logger;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closing = false;

  constructor(
    private readonly repo: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'messages' });
  }

  /**
   * Stores one message (or finds the original of a retry) and resolves with it after COMMIT.
   * Enqueues synchronously, so calls in order get seqs in order.
   */
  send(actor: Actor, input: MessageSendData, origin?: string): Promise<Message> {
    if (actor.type === 'guest' && input.conversationId !== actor.conversationId) return Promise.reject(MessagesException.notFound());
    if (this.closing) return Promise.reject(MessagesException.shuttingDown());
    return new Promise<Message>((resolve, reject) => {
      this.queue.push({
        request: { conversationId: input.conversationId, clientMsgId: input.clientMsgId, body: input.body, sender: { type: actor.type, id: actor.id, name: actor.name }, origin },
        receivedAt: performance.now(),
        resolve,
        reject,
      });
      if (this.queue.length >= BATCH_MAX) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), BATCH_WINDOW_MS);
    });
  }

  /** GET /api/conversations/:id/messages */
  async history(actor: Actor, conversationId: string, query: HistoryQuery): Promise<HistoryPage> {
    await this.conversations.assertVisible(actor, conversationId);
    return this.repo.page(conversationId, query.before, query.limit);
  }

  /** `conversation.sync`: what the client missed after `afterSeq`. */
  async sync(actor: Actor, input: ConversationSyncData): Promise<{ conversationId: string; messages: Message[]; hasMore: boolean }> {
    await this.conversations.assertVisible(actor, input.conversationId);
    const page = await this.repo.after(input.conversationId, input.afterSeq, input.limit ?? Limits.syncDefault);
    return { conversationId: input.conversationId, ...page };
  }

  /** Messages of a conversation between two seqs (inclusive), for filling delivery gaps. */
  range(conversationId: string, fromSeq: number, toSeq: number): Promise<Message[]> {
    return this.repo.range(conversationId, fromSeq, toSeq);
  }

  byIds(ids: string[]): Promise<Message[]> {
    return this.repo.byIds(ids);
  }

  /** Refuses new sends and resolves when every queued one is committed (or failed) and answered. */
  async drain(): Promise<void> {
    this.closing = true;
    while (this.queue.length > 0 || this.running) {
      this.kick();
      await this.running;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, BATCH_MAX);
    this.running = this.commit(batch).finally(() => {
      this.running = undefined;
      // Whatever queued meanwhile has waited at least one commit: go on at once.
      if (this.queue.length > 0) this.kick();
    });
  }

  private async commit(batch: Pending[]): Promise<void> {
    let outcomes: SendOutcome[] | undefined;
    let failure: unknown;
    for (let attempt = 0; attempt <= RACE_RETRIES && !outcomes; attempt++) {
      try {
        outcomes = await this.repo.commitBatch(batch.map((p) => p.request));
      } catch (err) {
        failure = err;
        if (!(err instanceof DuplicateRaceError)) break;
      }
    }
    this.metrics.commitBatchSize.observe(batch.length);
    if (!outcomes) {
      const unavailable = isDatabaseUnavailable(failure);
      if (!unavailable) this.logger.error({ err: describe(failure), batch: batch.length }, 'group commit failed');
      else this.logger.warn({ err: describe(failure), batch: batch.length }, 'group commit failed: database unavailable');
      for (const p of batch) p.reject(unavailable ? MessagesException.unavailable() : MessagesException.internal());
      return;
    }
    const now = performance.now();
    batch.forEach((p, i) => {
      const outcome = outcomes![i];
      switch (outcome.kind) {
        case 'stored':
          this.metrics.messages.inc({ sender: outcome.message.sender.type });
          this.metrics.ackLatency.observe((now - p.receivedAt) / 1000);
          p.resolve(outcome.message);
          break;
        case 'duplicate':
          p.resolve(outcome.message);
          break;
        case 'not_found':
          p.reject(MessagesException.notFound());
          break;
        case 'forbidden':
          p.reject(MessagesException.closedStay());
          break;
      }
    });
  }
}

function describe(err: unknown): { name?: string; message?: string; code?: string } {
  if (!err || typeof err !== 'object') return { message: String(err) };
  const e = err as { name?: string; message?: string; code?: string };
  return { name: e.name, message: e.message, code: e.code };
}
