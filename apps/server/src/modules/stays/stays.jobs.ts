import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../common/app-exception.js';
import { LOGGER } from '../../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { autoCheckoutBefore } from './local-date.js';
import { StaysException } from './stays.exception.js';
import { StaysRepository } from './stays.repository.js';
import { StaysService } from './stays.service.js';

/** How often the stay jobs run (ms). A provider, so a test module can change it. */
export const STAYS_JOBS_INTERVAL_MS = Symbol('STAYS_JOBS_INTERVAL_MS');
export const DEFAULT_STAYS_JOBS_INTERVAL_MS = 5 * 60 * 1000;

const BATCH = 200;

/**
 * Periodic work on stays, safe to run on several instances at once: overdue stays are checked out,
 * and checked-out stays are deleted with their conversation after the retention period.
 */
@Injectable()
export class StaysJobs implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly repo: StaysRepository,
    private readonly stays: StaysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STAYS_JOBS_INTERVAL_MS) private readonly intervalMs: number,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'stays-jobs' });
  }

  onApplicationBootstrap(): void {
    // Once at start-up too: a server that was down over midnight catches up at once.
    void this.runAll();
    this.timer = setInterval(() => void this.runAll(), this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs both jobs once (never two runs at a time in one instance); failures are logged. */
  runAll(): Promise<void> {
    this.running ??= (async () => {
      try {
        await this.runAutoCheckout();
        await this.runRetention();
      } catch (err) {
        if (isDatabaseUnavailable(err)) this.logger.warn('stay jobs skipped: the database cannot be reached');
        else this.logger.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'stay jobs failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Checks out every stay still active 24 h after its check-out date. Returns how many. */
  async runAutoCheckout(now: Date = new Date()): Promise<number> {
    const before = autoCheckoutBefore(now);
    let count = 0;
    for (;;) {
      const ids = await this.repo.activeCheckingOutBefore(before, BATCH);
      for (const id of ids) {
        try {
          await this.stays.checkOut({ type: 'system' }, id);
          count++;
        } catch (err) {
          // Checked out meanwhile (by staff or another instance): nothing left to do.
          if (!(err instanceof StaysException)) throw err;
        }
      }
      if (ids.length < BATCH) break;
    }
    if (count) this.logger.info({ stays: count, checkOutBefore: before }, 'overdue stays checked out');
    return count;
  }

  /** Deletes conversations (with their stays and messages) `retentionDays` after check-out. */
  async runRetention(): Promise<{ stays: number; conversations: number; messages: number }> {
    const total = { stays: 0, conversations: 0, messages: 0 };
    for (;;) {
      const batch = await this.repo.deleteCheckedOutBefore(this.config.retentionDays, BATCH);
      total.stays += batch.stays;
      total.conversations += batch.conversations;
      total.messages += batch.messages;
      if (batch.stays < BATCH) break;
    }
    if (total.stays) this.logger.info({ ...total, retentionDays: this.config.retentionDays }, 'retention: old conversations deleted');
    return total;
  }
}
