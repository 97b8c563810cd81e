import type { StaffDirectoryEntry } from '@bellhop/protocol';

/** How old a directory may be before a page that shows assignees asks for it again. */
const FRESH_MS = 30_000;

/**
 * The active colleagues' names (`GET /api/staff/directory`), shared by the console's pages: the
 * assign control lists them, and assignee ids are shown as names.
 */
export class StaffDirectoryStore {
  private entries: StaffDirectoryEntry[] | null = null;
  private readonly byId = new Map<string, StaffDirectoryEntry>();
  private readonly listeners = new Set<() => void>();
  private inflight: Promise<void> | null = null;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  error: unknown = null;

  constructor(
    private readonly fetchDirectory: () => Promise<{ items: StaffDirectoryEntry[] }>,
    private readonly now: () => number = Date.now,
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The directory, sorted by name as the server sends it; null until it first loads. */
  getSnapshot = (): StaffDirectoryEntry[] | null => this.entries;

  get(id: string): StaffDirectoryEntry | undefined {
    return this.byId.get(id);
  }

  /** Loads the directory (concurrent calls share one request). A failure keeps what we had. */
  load(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.attemptedAt = this.now();
    this.inflight = this.fetchDirectory()
      .then(
        ({ items }) => {
          this.entries = items;
          this.byId.clear();
          for (const e of items) this.byId.set(e.id, e);
          this.error = null;
        },
        (error: unknown) => {
          this.error = error;
        },
      )
      .finally(() => {
        this.inflight = null;
        for (const listener of this.listeners) listener();
      });
    return this.inflight;
  }

  /** Loads unless it did (or tried to) within the last 30 s. */
  refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (this.now() - this.attemptedAt < FRESH_MS) return Promise.resolve();
    return this.load();
  }

  /** An id we cannot name yet (say, a colleague added since): reload, at most every 30 s. */
  lookUp(id: string): void {
    if (!this.byId.has(id)) void this.refresh();
  }
}
