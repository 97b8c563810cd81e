import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Limits, type ConversationSyncData, type HistoryPage, type HistoryQuery, type Message, type MessageSendData } from '@bellhop/protocol';
import type { Logger } from 'pino';
import type { Actor } from '../../common/actor.js';
import { isDatabaseUnavailable } from '../../common/app-exception.js';
import { LOGGER } from '../../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { commitDeadlineMs } from '../../database/data-source.js';
import { AuthService } from '../auth/auth.service.js';
import type { AccessClaims } from '../auth/tokens.js';
import { ConversationsException } from '../conversations/conversations.exception.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { MetricsService } from '../health/metrics.service.js';
import { MessagesException } from './messages.exception.js';
import { DuplicateRaceError, MessagesRepository, type SendOutcome, type SendRequest } from './messages.repository.js';
import { SearchIndexJobs } from './search-index.jobs.js';

/** Group commit: with a transaction slot free, a send waits at most this long for others to share its transaction... */
export const BATCH_WINDOW_MS = 2;
/** ...or, while another batch is being committed, this long: a second transaction only pays off for a real backlog. */
export const BATCH_WINDOW_BUSY_MS = 5;
/** ...or until this many are queued. */
export const BATCH_MAX = 100;
/** A batch taken from a deep queue (every slot was busy) may grow to this many sends. */
export const BATCH_MAX_DEEP = 500;
/** Group-commit transactions running at once, each on its own pooled connection. */
export const MAX_IN_FLIGHT = 4;
/** A unique-violation race with another instance is retried this many times. */
const RACE_RETRIES = 3;
/** How often the difference between the database's clock and this process's is measured. */
const CLOCK_CHECK_MS = 60_000;
/** A measurement whose round trip took longer than this is not taken: its error could be as large. */
const CLOCK_CHECK_MAX_RTT_MS = 200;

interface Pending {
  request: SendRequest;
  receivedAt: number;
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
}

/**
 * The one place messages are stored. Sends are queued and committed in batches, several
 * transactions at once, but a conversation is in at most one of them at a time and its sends
 * are taken in arrival order: so the sends of one connection get increasing seqs, the bus
 * carries each conversation's messages in seq order, and an ack is only ever answered after
 * its COMMIT.
 */
@Injectable()
export class MessagesService implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger: Logger;
  /**
   * The database's clock minus this process's (ms): a batch's deadline is given in the database's
   * clock (see commit). 0 until measured: the same host, or clocks kept in time.
   */
  private clockOffsetMs = 0;
  private clockTimer: NodeJS.Timeout | undefined;
  private readonly commitDeadlineMs: number;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Batches being committed. */
  private readonly running = new Set<Promise<void>>();
  /** Conversations in a batch being committed: their later sends wait for a later batch. */
  private readonly busy = new Set<string>();
  private closing = false;

  constructor(
    private readonly repo: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly metrics: MetricsService,
    private readonly searchIndex: SearchIndexJobs,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'databaseStatementTimeoutMs'>,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'messages' });
    this.commitDeadlineMs = commitDeadlineMs(config.databaseStatementTimeoutMs);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.checkClock();
    this.clockTimer = setInterval(() => void this.checkClock(), CLOCK_CHECK_MS);
    this.clockTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.clockTimer);
  }

  /** Measures the database's clock against this process's; a failed or slow measurement changes nothing. */
  private async checkClock(): Promise<void> {
    try {
      const sent = Date.now();
      const db = await this.repo.databaseNow();
      const back = Date.now();
      if (back - sent > CLOCK_CHECK_MAX_RTT_MS) return;
      const offset = db - (sent + back) / 2;
      if (Math.abs(offset - this.clockOffsetMs) > 1000) this.logger.info({ offsetMs: Math.round(offset) }, "the database's clock differs from this server's; send deadlines follow the database's");
      this.clockOffsetMs = offset;
    } catch {
      // The database unavailable: the last measurement stands.
    }
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
      // With every slot busy, the next completion takes the queue at once.
      if (this.running.size >= MAX_IN_FLIGHT) return;
      if (this.queue.length >= BATCH_MAX) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.running.size > 0 ? BATCH_WINDOW_BUSY_MS : BATCH_WINDOW_MS);
    });
  }

  /**
   * GET /api/conversations/:id/messages. The session is read with the page, in one statement: 401
   * for an ended session (as the guard would answer), then 404 for a conversation that does not
   * exist or is not the guest's own.
   */
  async history(claims: AccessClaims, conversationId: string, query: HistoryQuery): Promise<HistoryPage> {
    const { principal, page } = await this.repo.pageForSession(claims.sid, conversationId, query.before, query.limit);
    const { actor } = this.auth.actorFromPrincipal(claims, principal);
    // Also kept out by the statement; checked here as on every other route.
    if (actor.type === 'guest' && conversationId !== actor.conversationId) throw ConversationsException.notFound();
    // Staff see every conversation: whether it exists comes with the page.
    if (!page) throw ConversationsException.notFound();
    return page;
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
    while (this.queue.length > 0 || this.running.size > 0) {
      this.kick();
      if (this.running.size > 0) await Promise.race(this.running);
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
    while (this.running.size < MAX_IN_FLIGHT && this.queue.length > 0) {
      // A deep queue is shared among the free slots, in batches of BATCH_MAX up to BATCH_MAX_DEEP.
      const free = MAX_IN_FLIGHT - this.running.size;
      const batch = this.take(Math.min(BATCH_MAX_DEEP, Math.max(BATCH_MAX, Math.ceil(this.queue.length / free))));
      if (batch.length === 0) return;
      const conversations = new Set(batch.map((p) => p.request.conversationId));
      for (const id of conversations) this.busy.add(id);
      const job: Promise<void> = this.commit(batch).finally(() => {
        for (const id of conversations) this.busy.delete(id);
        this.running.delete(job);
        // Whatever queued meanwhile has waited at least one commit: go on at once.
        if (this.queue.length > 0) this.kick();
      });
      this.running.add(job);
    }
  }

  /**
   * Takes up to `max` queued sends whose conversation is in no running batch, in queue order.
   * Once one send of a conversation stays behind, so do its later ones.
   */
  private take(max: number): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const held = new Set<string>();
    for (const p of this.queue) {
      const id = p.request.conversationId;
      if (batch.length < max && !this.busy.has(id) && !held.has(id)) batch.push(p);
      else {
        held.add(id);
        rest.push(p);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    let outcomes: SendOutcome[] | undefined;
    let failure: unknown;
    for (let attempt = 0; attempt <= RACE_RETRIES && !outcomes; attempt++) {
      try {
        // Past this the server no longer waits for the answer: the database must not commit then.
        const deadline = new Date(Date.now() + this.clockOffsetMs + this.commitDeadlineMs);
        outcomes = await this.repo.commitBatch(
          batch.map((p) => p.request),
          deadline,
        );
      } catch (err) {
        failure = err;
        if (!(err instanceof DuplicateRaceError)) break;
      }
    }
    this.metrics.commitBatchSize.observe(batch.length);
    if (!outcomes && isStatementTimeout(failure)) {
      // One conversation held up (its row locked by another session) holds up the whole batch:
      // each conversation again in its own transaction, so only the held one fails.
      const parts = byConversation(batch);
      if (parts.length > 1) {
        await Promise.all(parts.map((part) => this.commit(part)));
        return;
      }
    }
    if (!outcomes) {
      const unavailable = isDatabaseUnavailable(failure);
      if (!unavailable) this.logger.error({ err: describe(failure), batch: batch.length }, 'group commit failed');
      else this.logger.warn({ err: describe(failure), batch: batch.length }, 'group commit failed: database unavailable');
      for (const p of batch) p.reject(unavailable ? MessagesException.unavailable() : MessagesException.internal());
      return;
    }
    if (outcomes.some((o) => o.kind === 'stored')) this.searchIndex.noteStored();
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

function isStatementTimeout(err: unknown): boolean {
  return (err as { code?: string } | undefined)?.code === '57014';
}

/** The batch's sends grouped by conversation, each group in queue order. */
function byConversation(batch: Pending[]): Pending[][] {
  const groups = new Map<string, Pending[]>();
  for (const p of batch) {
    const group = groups.get(p.request.conversationId);
    if (group) group.push(p);
    else groups.set(p.request.conversationId, [p]);
  }
  return [...groups.values()];
}

function describe(err: unknown): { name?: string; message?: string; code?: string } {
  if (!err || typeof err !== 'object') return { message: String(err) };
  const e = err as { name?: string; message?: string; code?: string };
  return { name: e.name, message: e.message, code: e.code };
}
