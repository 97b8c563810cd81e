import { idSchema } from '@bellhop/protocol';
import { z } from 'zod';

/** What `localStorage` offers; tests pass an in-memory one. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const OutboxStatus = { Pending: 'pending', Failed: 'failed' } as const;
export type OutboxStatus = (typeof OutboxStatus)[keyof typeof OutboxStatus];

const outboxEntrySchema = z.object({
  clientMsgId: idSchema,
  conversationId: idSchema,
  body: z.string(),
  createdAt: z.string(),
  status: z.enum(['pending', 'failed']),
  /** Error code of the last refusal (`forbidden`, `rate_limited`, …). */
  error: z.string().optional(),
  attempts: z.number().int().nonnegative(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/**
 * Messages not yet acknowledged by the server, kept in the browser's storage so they survive
 * a reload. Each entry keeps the `clientMsgId` it was created with: sending it again is
 * idempotent on the server, so a message goes out exactly once however often it is resent.
 */
export class Outbox {
  private entries: OutboxEntry[] = [];

  constructor(
    private readonly storage: StorageLike | null,
    private readonly key: string,
  ) {
    this.load();
  }

  /** Re-reads storage (another tab may have changed it). */
  load(): void {
    if (!this.storage) return;
    try {
      const raw = this.storage.getItem(this.key);
      const parsed = z.array(outboxEntrySchema).safeParse(raw ? JSON.parse(raw) : []);
      this.entries = parsed.success ? parsed.data : [];
    } catch {
      this.entries = [];
    }
  }

  private save(): void {
    if (!this.storage) return;
    try {
      if (this.entries.length === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify(this.entries));
    } catch {
      // Storage full or disabled (private mode): the entry still lives in memory.
    }
  }

  list(): OutboxEntry[] {
    return [...this.entries];
  }

  get(clientMsgId: string): OutboxEntry | undefined {
    return this.entries.find((e) => e.clientMsgId === clientMsgId);
  }

  add(entry: OutboxEntry): void {
    this.entries.push(entry);
    this.save();
  }

  update(clientMsgId: string, patch: Partial<Pick<OutboxEntry, 'status' | 'error' | 'attempts'>>): OutboxEntry | undefined {
    const entry = this.get(clientMsgId);
    if (!entry) return undefined;
    Object.assign(entry, patch);
    this.save();
    return entry;
  }

  /** Removes an entry; true when it was there. */
  remove(clientMsgId: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.clientMsgId !== clientMsgId);
    if (this.entries.length === before) return false;
    this.save();
    return true;
  }
}
