import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { BUS_CHANNEL, EventBus, encodeBusEvent, type BusEvent, type PublishedEvent } from '../../common/event-bus.js';
import { LOGGER } from '../../common/logger.js';
import { answeredWithin } from '../../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { answerTimeoutMs } from '../../database/data-source.js';

type Listener = (event: BusEvent) => void;
/** Called after the LISTEN connection came back, with the time it was lost. */
type ReconnectListener = (lostAt: Date) => void;

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 2_000;
/** How often the LISTEN connection is asked a question, to learn that it still answers. */
const PING_MS = 5_000;
/** The longest it is given to answer (less when the statement timeout is short). */
const PING_TIMEOUT_MAX_MS = 12_000;

/**
 * The bus between server instances: NOTIFY (inside the committing transaction when there is one)
 * and LISTEN on one dedicated connection per instance. Postgres delivers notifications in commit
 * order, so every instance sees a conversation's messages in seq order. This instance hears its
 * own notifications too and delivers to its sockets from them, like every other instance.
 *
 * A LISTEN connection only receives: one that dies without a word (a firewall or NAT forgetting an
 * idle connection, a database host gone) would leave this instance deaf while every send is still
 * acked. So it is pinged every PING_MS; one that does not answer within the answer timeout (see
 * answerTimeoutMs, at most PING_TIMEOUT_MAX_MS) is taken for lost since it last answered and
 * replaced, and the reconnect listeners deliver the messages committed meanwhile. The pings also
 * keep it from looking idle.
 */
@Injectable()
export class PgEventBus extends EventBus implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly instanceId = randomUUID();
  private readonly logger: Logger;
  private readonly listeners = new Set<Listener>();
  private readonly reconnectListeners = new Set<ReconnectListener>();
  private client: pg.Client | undefined;
  private stopped = false;
  private lostAt: Date | undefined;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pinging = false;
  /** When the LISTEN connection last proved alive (a notification or a ping answered). */
  private heardAt = 0;
  private readonly pingTimeoutMs: number;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'databaseStatementTimeoutMs'>,
    @Inject(LOGGER) logger: Logger,
  ) {
    super();
    this.logger = logger.child({ component: 'bus' });
    this.pingTimeoutMs = Math.min(answerTimeoutMs(config.databaseStatementTimeoutMs), PING_TIMEOUT_MAX_MS);
  }

  async publish(event: PublishedEvent, tx?: EntityManager): Promise<void> {
    const runner = tx ?? this.ds;
    for (const payload of encodeBusEvent(event)) await runner.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, payload]);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onReconnect(listener: ReconnectListener): void {
    this.reconnectListeners.add(listener);
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
    this.pingTimer = setInterval(() => void this.ping(), PING_MS);
    this.pingTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const options = this.ds.options as { url?: string; extra?: Record<string, unknown> };
    const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 3_000, application_name: 'bellhop-bus', keepAlive: true });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      this.heardAt = Date.now();
      if (n.channel === BUS_CHANNEL && n.payload) this.dispatch(n.payload);
    });
    try {
      await client.connect();
      await client.query(answeredWithin({ text: `LISTEN ${BUS_CHANNEL}` }, this.pingTimeoutMs));
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.lost(client, err as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.heardAt = Date.now();
    this.retryMs = RECONNECT_MIN_MS;
    const lostAt = this.lostAt;
    this.lostAt = undefined;
    if (lostAt) {
      this.logger.info('bus listening again');
      for (const listener of this.reconnectListeners) listener(lostAt);
    }
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.client === client) this.client = undefined;
    else if (this.client) return; // an older connection's late event
    if (this.stopped || this.retryTimer) return;
    // What was committed after it last proved alive may not have reached it.
    this.lostAt ??= this.heardAt > 0 ? new Date(this.heardAt) : new Date();
    this.logger.warn({ err: err ? { message: err.message, code: (err as { code?: string }).code } : undefined }, 'bus connection lost; reconnecting');
    client.removeAllListeners('notification');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }

  /** Asks the LISTEN connection a question; one that does not answer in time is replaced. */
  private async ping(): Promise<void> {
    const client = this.client;
    if (!client || this.pinging) return;
    this.pinging = true;
    try {
      await client.query(answeredWithin({ text: 'SELECT 1' }, this.pingTimeoutMs));
      if (this.client === client) this.heardAt = Date.now();
    } catch (err) {
      if (this.client !== client) return;
      this.lost(client, err as Error);
      // Its late events are no longer listened to; its errors are swallowed (an 'error' nobody
      // listens to would end the process). Ending it may wait on the dead socket: not awaited.
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
    } finally {
      this.pinging = false;
    }
  }

  private dispatch(payload: string): void {
    let event: BusEvent;
    try {
      event = JSON.parse(payload) as BusEvent;
    } catch {
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err: { message: (err as Error).message, stack: (err as Error).stack }, type: event.type }, 'bus listener failed');
      }
    }
  }
}
