import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

interface PgPoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

@Injectable()
export class HealthRepository {
  constructor(private readonly ds: DataSource) {}

  async ping(): Promise<void> {
    await this.ds.query('SELECT 1');
  }

  /** Connections of the pg pool behind the data source, or undefined before it exists. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    const pool = (this.ds.driver as unknown as { master?: PgPoolLike }).master;
    if (!pool || typeof pool.totalCount !== 'number') return undefined;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }
}
