import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../common/app-exception.js';
import { LOGGER } from '../../common/logger.js';
import { AuthException } from './auth.exception.js';
import { AuthRepository } from './auth.repository.js';
import { REFRESH_TOKEN_TTL_DAYS } from './refresh-cookie.js';
import {
  THROTTLE_LOOKBACK_MS,
  THROTTLE_LOOKBACK_ROWS,
  type ThrottleKind,
  throttleKey,
  throttleLimits,
  throttleState,
} from './throttle.js';

const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Counts failed logins and joins in Postgres, so a lock holds across every instance, and refuses
 * attempts while a key is locked.
 */
@Injectable()
export class ThrottleService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly repo: AuthRepository,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'throttle' });
  }

  /** Throws a 429 (with Retry-After) when any of the keys is locked. */
  async assertOpen(keys: Array<[ThrottleKind, string]>): Promise<void> {
    const now = Date.now();
    let retryAfter = 0;
    for (const [kind, value] of keys) {
      const limit = throttleLimits[kind];
      const times = await this.repo.recentFailures(kind, throttleKey(kind, value), THROTTLE_LOOKBACK_MS, THROTTLE_LOOKBACK_ROWS);
      const state = throttleState(times, limit, now);
      if (state.locked) retryAfter = Math.max(retryAfter, state.retryAfterSeconds);
    }
    if (retryAfter > 0) throw AuthException.throttled(retryAfter);
  }

  async recordFailure(keys: Array<[ThrottleKind, string]>): Promise<void> {
    await this.repo.recordFailures(keys.map(([kind, value]) => ({ kind, key: throttleKey(kind, value) })));
  }

  async clear(kind: ThrottleKind, value: string): Promise<void> {
    await this.repo.clearFailures(kind, throttleKey(kind, value));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async prune(): Promise<void> {
    try {
      const pruned = await this.repo.prune(THROTTLE_LOOKBACK_MS, REFRESH_TOKEN_TTL_DAYS + 1);
      if (pruned.failures || pruned.sessions) this.logger.info(pruned, 'pruned old auth failures and sessions');
    } catch (err) {
      if (!isDatabaseUnavailable(err)) this.logger.error({ err: { message: (err as Error).message } }, 'pruning failed');
    }
  }
}
