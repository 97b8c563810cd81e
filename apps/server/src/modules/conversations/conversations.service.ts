import { Injectable } from '@nestjs/common';
import {
  Limits,
  type ConversationPage,
  type ConversationReadData,
  type ConversationSummary,
  type ListConversationsQuery,
  type SearchPage,
  type SearchQuery,
  type TranscriptJson,
  type TypingData,
  type UpdateConversationRequest,
} from '@bellhop/protocol';
import type { Actor, StaffActor } from '../../common/actor.js';
import { EventBus } from '../../common/event-bus.js';
import { ConversationsException } from './conversations.exception.js';
import { ConversationsRepository } from './conversations.repository.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { transcriptFileName, transcriptText } from './transcript.js';

/** Conversations are only deleted by retention, long after check-out: a positive answer may be reused a while. */
const EXISTS_CACHE_MS = 60_000;
const EXISTS_CACHE_MAX = 50_000;

export interface Transcript {
  fileName: string;
  contentType: string;
  content: string;
}

@Injectable()
export class ConversationsService {
  private readonly exists = new Map<string, number>();

  constructor(
    private readonly repo: ConversationsRepository,
    private readonly bus: EventBus,
  ) {}

  /**
   * Throws not_found unless the actor may see the conversation: a guest only its own stay's,
   * staff any that exists. A guessed id answers exactly like a missing one.
   */
  async assertVisible(actor: Actor, conversationId: string): Promise<void> {
    if (actor.type === 'guest') {
      if (conversationId !== actor.conversationId) throw ConversationsException.notFound();
      return;
    }
    const until = this.exists.get(conversationId);
    if (until !== undefined && until > Date.now()) return;
    const found = await this.repo.find(conversationId);
    if (!found) throw ConversationsException.notFound();
    if (this.exists.size >= EXISTS_CACHE_MAX) this.exists.clear();
    this.exists.set(conversationId, Date.now() + EXISTS_CACHE_MS);
  }

  /** One conversation as the inbox shows it: staff any, a guest only its own; others answer not_found. */
  async get(actor: Actor, conversationId: string): Promise<ConversationSummary> {
    if (actor.type === 'guest' && conversationId !== actor.conversationId) throw ConversationsException.notFound();
    const summary = await this.repo.summary(actor.type === 'staff' ? actor.id : null, conversationId);
    if (!summary) throw ConversationsException.notFound();
    return summary;
  }

  async list(actor: StaffActor, query: ListConversationsQuery): Promise<ConversationPage> {
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !after) throw ConversationsException.badCursor();
    const rows = await this.repo.list(actor.id, query.status, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => r.summary),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.activityKey, last.summary.id) : null,
    };
  }

  /** `inbox.snapshot`: the newest open conversations, staff only. */
  async inbox(actor: Actor): Promise<ConversationSummary[]> {
    if (actor.type !== 'staff') throw ConversationsException.staffOnly();
    const rows = await this.repo.list(actor.id, 'open', null, Limits.inboxSnapshotMax);
    return rows.map((r) => r.summary);
  }

  async update(actor: StaffActor, conversationId: string, input: UpdateConversationRequest): Promise<ConversationSummary> {
    return this.repo.transaction(async (m) => {
      const current = await this.repo.lockForUpdate(m, conversationId);
      if (!current) throw ConversationsException.notFound();
      if (input.assigneeId && !(await this.repo.isActiveStaff(m, input.assigneeId))) throw ConversationsException.badAssignee();
      const status = input.status ?? current.status;
      const assigneeId = input.assigneeId === undefined ? current.assignee_id : input.assigneeId;
      if (status !== current.status || assigneeId !== current.assignee_id) {
        await this.repo.update(m, conversationId, status, assigneeId);
        await this.bus.publish({ type: 'conversation.changed', conversationId }, m);
      }
      const summary = await this.repo.summary(actor.id, conversationId, m);
      if (!summary) throw ConversationsException.notFound();
      return summary;
    });
  }

  /**
   * Moves the reader's cursor forward (clamped to the last seq). A read at or below the cursor
   * changes nothing and announces nothing. Answers the cursor's new seq, or null for a no-op.
   */
  async markRead(actor: Actor, input: ConversationReadData, origin?: string): Promise<number | null> {
    await this.assertVisible(actor, input.conversationId);
    return this.repo.transaction(async (m) => {
      const seq = await this.repo.moveCursor(m, input.conversationId, actor.type, actor.id, input.seq, origin ?? null);
      if (seq !== null) {
        await this.bus.publish({ type: 'conversation.read', conversationId: input.conversationId, reader: { type: actor.type, id: actor.id }, seq, origin }, m);
      }
      return seq;
    });
  }

  /**
   * Announces typing to the conversation's other participants; nothing is stored. With `announce`
   * false (a throttled repeat) it only checks that the actor may see the conversation.
   */
  async typing(actor: Actor, input: TypingData, announce = true): Promise<void> {
    await this.assertVisible(actor, input.conversationId);
    if (!announce) return;
    await this.bus.publish({ type: 'typing', conversationId: input.conversationId, who: { type: actor.type, id: actor.id, name: actor.name }, active: input.active });
  }

  async search(actor: StaffActor, query: SearchQuery): Promise<SearchPage> {
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !after) throw ConversationsException.badCursor();
    const hits = await this.repo.search(query.q, after, query.limit + 1);
    const page = hits.slice(0, query.limit);
    const summaries = await this.repo.summaries(actor.id, [...new Set(page.map((h) => h.message.conversationId))]);
    const last = page[page.length - 1];
    return {
      items: page.flatMap((h) => {
        const conversation = summaries.get(h.message.conversationId);
        return conversation ? [{ message: h.message, conversation }] : [];
      }),
      nextCursor: hits.length > query.limit && last ? encodeCursor(last.key, last.message.id) : null,
    };
  }

  async transcript(actor: Actor, conversationId: string, format: 'txt' | 'json'): Promise<Transcript> {
    await this.assertVisible(actor, conversationId);
    const conversation = await this.repo.summary(actor.type === 'staff' ? actor.id : null, conversationId);
    if (!conversation) throw ConversationsException.notFound();
    const messages = await this.repo.allMessages(conversationId);
    const fileName = transcriptFileName(conversation.stay.roomNumber, conversationId, format);
    if (format === 'json') {
      const body: TranscriptJson = { conversation, messages };
      return { fileName, contentType: 'application/json; charset=utf-8', content: JSON.stringify(body) };
    }
    return { fileName, contentType: 'text/plain; charset=utf-8', content: transcriptText(messages) };
  }

  /**
   * Conversations as each of these staff members sees them (`unread` differs per member):
   * conversation id → staff id → summary. Conversations that do not exist are left out.
   */
  async summariesForStaff(conversationIds: string[], staffIds: string[]): Promise<Map<string, Map<string, ConversationSummary>>> {
    const out = new Map<string, Map<string, ConversationSummary>>();
    if (staffIds.length === 0 || conversationIds.length === 0) return out;
    const [bases, unread] = await Promise.all([this.repo.summaries(null, conversationIds), this.repo.unreadFor(conversationIds, staffIds)]);
    for (const [conversationId, base] of bases) {
      const perStaff = new Map<string, ConversationSummary>();
      for (const id of staffIds) perStaff.set(id, { ...base, unread: unread.get(conversationId)?.get(id) ?? 0 });
      out.set(conversationId, perStaff);
    }
    return out;
  }
}
