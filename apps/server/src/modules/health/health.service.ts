import { Injectable } from '@nestjs/common';
import { HealthRepository } from './health.repository.js';
import { MetricsService } from './metrics.service.js';

/** Readiness waits at most this long for the database. */
export const READY_TIMEOUT_MS = 1000;

@Injectable()
export class HealthService {
  constructor(
    private readonly repo: HealthRepository,
    private readonly metrics: MetricsService,
  ) {}

  /** True when `SELECT 1` answers within a second. */
  async ready(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        this.repo.ping().then(
          () => true,
          () => false,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The Prometheus exposition, with the pool gauge read at scrape time. */
  async metricsText(): Promise<{ contentType: string; body: string }> {
    const pool = this.repo.poolStats();
    if (pool) {
      this.metrics.dbPool.set({ state: 'total' }, pool.total);
      this.metrics.dbPool.set({ state: 'idle' }, pool.idle);
      this.metrics.dbPool.set({ state: 'active' }, pool.total - pool.idle);
      this.metrics.dbPool.set({ state: 'waiting' }, pool.waiting);
    }
    return { contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
  }
}
