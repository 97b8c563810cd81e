import type { ConversationSummary, Message } from '@bellhop/protocol';
import { Limits } from '@bellhop/protocol';
import { api } from '../../lib/api';
import type { RealtimeClient } from '../../lib/realtime';

export type StatusFilter = 'open' | 'resolved' | 'all';

const activity = (c: ConversationSummary) => c.lastMessage?.createdAt ?? c.updatedAt;

/**
 * The staff inbox, kept live: HTTP pages per status filter, `inbox.snapshot` after every
 * (re)connect, `conversation.updated` and `message.new` in between.
 */
export class InboxStore {
  private readonly items = new Map<string, ConversationSummary>();
  private readonly listeners = new Set<() => void>();
  private sorted: ConversationSummary[] = [];
  private readonly cursors = new Map<StatusFilter, string | null>();
  /** The conversation on screen: its new messages are read, not unread. */
  activeId: string | null = null;
  loading = false;
  error: unknown = null;
  loaded = false;

  constructor(private readonly client: RealtimeClient) {}

  attach(): () => void {
    const offs = [
      this.client.on('inboxSnapshot', (list) => this.applySnapshot(list)),
      this.client.on('conversationUpdated', (c) => this.upsert([c])),
      this.client.on('message', ({ message }) => this.onMessage(message)),
    ];
    this.client.subscribeInbox();
    return () => offs.forEach((off) => off());
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ConversationSummary[] => this.sorted;

  get(id: string): ConversationSummary | undefined {
    return this.items.get(id);
  }

  hasMore(status: StatusFilter): boolean {
    return Boolean(this.cursors.get(status));
  }

  totalUnread(): number {
    let n = 0;
    for (const c of this.items.values()) if (c.status === 'open' || c.unread > 0) n += c.unread;
    return n;
  }

  private changed(): void {
    this.sorted = [...this.items.values()].sort((a, b) => (activity(a) < activity(b) ? 1 : activity(a) > activity(b) ? -1 : 0));
    for (const listener of this.listeners) listener();
  }

  upsert(list: ConversationSummary[]): void {
    for (const c of list) {
      const known = this.items.get(c.id);
      // A summary older than what we saw live would bring back a stale last message.
      if (known && known.lastSeq > c.lastSeq) this.items.set(c.id, { ...c, lastSeq: known.lastSeq, lastMessage: known.lastMessage });
      else this.items.set(c.id, c);
    }
    this.changed();
  }

  private applySnapshot(list: ConversationSummary[]): void {
    // The snapshot is every open conversation (up to its cap): open ones missing from it were
    // resolved while we were away.
    if (list.length < Limits.inboxSnapshotMax) {
      const present = new Set(list.map((c) => c.id));
      for (const [id, c] of this.items) if (c.status === 'open' && !present.has(id)) this.items.delete(id);
    }
    this.loaded = true;
    this.upsert(list);
  }

  private onMessage(message: Message): void {
    const c = this.items.get(message.conversationId);
    if (!c) {
      void this.load('open', true);
      return;
    }
    if (message.seq <= c.lastSeq) return;
    const fromGuest = message.sender.type === 'guest';
    this.items.set(c.id, {
      ...c,
      lastSeq: message.seq,
      lastMessage: message,
      updatedAt: message.createdAt,
      // A guest message reopens a resolved conversation.
      status: fromGuest ? 'open' : c.status,
      unread: fromGuest && this.activeId !== c.id ? c.unread + 1 : fromGuest ? c.unread : 0,
    });
    this.changed();
  }

  markRead(id: string): void {
    const c = this.items.get(id);
    if (c && c.unread > 0) {
      this.items.set(id, { ...c, unread: 0 });
      this.changed();
    }
  }

  /** Fetches one conversation that no loaded page holds (a deep link, a search hit) and keeps it. */
  async fetchOne(id: string): Promise<ConversationSummary> {
    const c = await api.conversation(id);
    this.upsert([c]);
    return c;
  }

  /** Loads the first page of a filter (or the next one with `more`). */
  async load(status: StatusFilter, fresh = false, more = false): Promise<void> {
    if (this.loading && !fresh) return;
    this.loading = true;
    this.error = null;
    this.changed();
    try {
      const page = await api.conversations(status, more ? this.cursors.get(status) : null);
      this.cursors.set(status, page.nextCursor);
      this.loaded = true;
      this.upsert(page.items);
    } catch (error) {
      this.error = error;
    } finally {
      this.loading = false;
      this.changed();
    }
  }
}
