import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../common/app-exception.js';
import { LOGGER } from '../../common/logger.js';
import { MessagesRepository } from './messages.repository.js';

/** How often the search index's pending list is merged while messages arrive (ms). A provider, so a test may change it. */
export const SEARCH_INDEX_INTERVAL_MS = Symbol('SEARCH_INDEX_INTERVAL_MS');
export const DEFAULT_SEARCH_INDEX_INTERVAL_MS = 250;

/**
 * New messages enter the full-text index through its pending list (GIN `fastupdate`), which a
 * search reads as well, so a message is found as soon as it is committed. This merges the list
 * into the index in bulk, on a pooled connection, every quarter of a second while messages are
 * being stored: merging in bulk costs a small part of indexing each message as it is stored, and
 * in normal operation the list never grows to the size (`gin_pending_list_limit`, 4 MB) at which
 * the send that fills it would have to merge it inside its own transaction. With several
 * instances, one merges while the others skip that turn.
 */
@Injectable()
export class SearchIndexJobs implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Messages were stored since the last merge began. */
  private dirty = false;
  /** The error code last warned about, so a lasting failure is told once. */
  private warned: string | undefined;

  constructor(
    private readonly repo: MessagesRepository,
    @Inject(SEARCH_INDEX_INTERVAL_MS) private readonly intervalMs: number,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'search-index' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.merge(), this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Called after a commit that stored messages. */
  noteStored(): void {
    this.dirty = true;
  }

  /** Merges the pending list if messages were stored since the last merge (one merge at a time). */
  merge(): Promise<void> {
    if (!this.dirty || this.running) return this.running ?? Promise.resolve();
    this.dirty = false;
    this.running = (async () => {
      try {
        // Another instance merging: try again next turn, for what arrived after its merge.
        if ((await this.repo.mergeSearchIndexPendingList()) === null) this.dirty = true;
        this.warned = undefined;
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (e.code === '42501') {
          // Migrations were run by another role, which owns the index.
          clearInterval(this.timer);
          this.logger.warn(
            'the search indexes are not merged by this server (its database role does not own messages_body_tsv_idx and messages_body_cjk_idx): the send that fills a pending list merges it, and waits for that',
          );
          return;
        }
        this.dirty = true;
        if (isDatabaseUnavailable(err) || this.warned === (e.code ?? e.message)) return;
        this.warned = e.code ?? e.message;
        this.logger.warn({ err: { code: e.code, message: e.message } }, 'could not merge the search index pending list');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
