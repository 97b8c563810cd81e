import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Limits } from '@bellhop/protocol';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../common/app-exception.js';
import { Batcher } from '../../common/batcher.js';
import { LOGGER } from '../../common/logger.js';
import { isUnanswered } from '../../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { answerTimeoutMs } from '../../database/data-source.js';
import { encode } from './connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import { PgEventBus } from './pg-event-bus.js';
import { RealtimeRepository, type OpenRequest, type OpenResult, type SocketRow } from './realtime.repository.js';

/** How often this instance proves it is alive and re-checks presence. */
const HEARTBEAT_MS = 2_000;
/**
 * Handshakes and closes arriving together share a round trip: at most this many at once, each of so
 * many sockets. One at a time: a ramp of 19,900 connections went 35 % faster than with two (median
 * of four runs each): the handshakes queued meanwhile share the next round trip instead of starting
 * a second one, and the write of each statement to the database cost the server about as much as
 * a handshake's own answer to its client (`strace -T` during a ramp: ~0.1 ms each). A statement
 * held up in the database (waiting on a lock, or running long) is cancelled after the statement
 * timeout (DATABASE_STATEMENT_TIMEOUT_MS) and its handshakes answered 503; a database that answers
 * nothing at all is given up on 2 s later (answerTimeoutMs), and its handshakes answered 503 too.
 */
const BATCHING = { concurrency: 1, max: 64 };

/**
 * Socket counts and staff presence across instances. Each instance registers its sockets in
 * Postgres and keeps a heartbeat; an instance that stops beating drops out within seconds.
 */
@Injectable()
export class ClusterService implements OnApplicationBootstrap {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private staffOnline = 0;
  private remoteStaff = new Set<string>();
  private recompute: Promise<void> | undefined;
  private recomputeAgain = false;
  private stopped = false;
  /** Closed sockets whose row could not be deleted at once: the heartbeat retries. */
  private readonly released = new Set<string>();
  /**
   * Sockets whose handshake got no answer from the database (and was refused with 503): the
   * database may still register them when it runs the statement, and nothing would ever remove
   * those rows, which count against their subject's limit. The heartbeats delete them until the
   * time given, pushed back while the database does not answer the heartbeat either.
   */
  private readonly abandoned = new Map<string, number>();
  /** How long abandoned rows are looked for after the database last failed to answer. */
  private readonly abandonedKeepMs: number;
  private readonly opens = new Batcher<OpenRequest, OpenResult>((requests) => this.repo.open(this.bus.instanceId, requests, Limits.socketsPerSubject), BATCHING);
  private readonly releases = new Batcher<string, void>(async (ids) => {
    await this.repo.release(ids);
    return ids.map(() => undefined);
  }, BATCHING);
  private beating = false;

  constructor(
    private readonly repo: RealtimeRepository,
    private readonly registry: ConnectionRegistry,
    private readonly bus: PgEventBus,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'databaseStatementTimeoutMs'>,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'cluster' });
    // A statement the database runs late still ends within its statement timeout.
    this.abandonedKeepMs = answerTimeoutMs(config.databaseStatementTimeoutMs) + 30_000;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
    // Registered before the first handshake, so this instance's sockets count from the start.
    await this.beat();
  }

  /** The handshake's database round trip (see RealtimeRepository.open), shared by the handshakes arriving together. */
  open(socketId: string, claims: OpenRequest['claims']): Promise<OpenResult> {
    return this.opens.call({ socketId, claims }).catch((err: unknown) => {
      if (isUnanswered(err)) this.abandoned.set(socketId, Date.now() + this.abandonedKeepMs);
      throw err;
    });
  }

  /** Forgets a closed socket; a row that cannot be deleted now is deleted by the next heartbeat. */
  release(socketId: string): void {
    this.releases.call(socketId).catch(() => this.released.add(socketId));
  }

  /** The number of distinct staff members with an open socket anywhere. */
  get presence(): number {
    return this.staffOnline;
  }

  /** A staff socket opened or closed somewhere: every instance re-counts. */
  staffChanged(): void {
    this.bus.publish({ type: 'presence.changed' }).catch(() => this.refreshPresence());
  }

  /** Re-counts presence (coalescing concurrent requests) and tells local guests when it changed. */
  refreshPresence(): void {
    if (this.recompute) {
      this.recomputeAgain = true;
      return;
    }
    this.recompute = this.computePresence().finally(() => {
      this.recompute = undefined;
      if (this.recomputeAgain) {
        this.recomputeAgain = false;
        this.refreshPresence();
      }
    });
  }

  /** Local staff change is known at once; the remote part comes from the last heartbeat. */
  localStaffChanged(): void {
    this.announcePresence();
    this.refreshPresence();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.repo.unregisterInstance(this.bus.instanceId).catch(() => undefined);
  }

  private async computePresence(): Promise<void> {
    try {
      this.remoteStaff = new Set(await this.repo.remoteStaff(this.bus.instanceId));
    } catch (err) {
      if (!isDatabaseUnavailable(err)) this.logger.error({ err: { message: (err as Error).message } }, 'presence query failed');
    }
    this.announcePresence();
  }

  private announcePresence(): void {
    const all = new Set(this.remoteStaff);
    for (const id of this.registry.staff.keys()) all.add(id);
    if (all.size === this.staffOnline) return;
    this.staffOnline = all.size;
    const frame = encode('presence', { staffOnline: this.staffOnline });
    for (const c of this.registry.guests()) c.send(frame);
  }

  private async beat(): Promise<void> {
    // A slow beat is not overlapped by the next one.
    if (this.stopped || this.beating) return;
    this.beating = true;
    const released = [...this.released];
    const abandoned = [...this.abandoned.keys()];
    try {
      const open = (): SocketRow[] => [...this.registry.all].map((c) => ({ id: c.id, subjectType: c.actor.type, subjectId: c.actor.id }));
      await this.repo.heartbeat(this.bus.instanceId, open, [...released, ...abandoned]);
      for (const id of released) this.released.delete(id);
      const now = Date.now();
      for (const id of abandoned) if (this.abandoned.get(id)! < now) this.abandoned.delete(id);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) this.logger.error({ err: { message: (err as Error).message } }, 'heartbeat failed');
      const until = Date.now() + this.abandonedKeepMs;
      for (const id of abandoned) this.abandoned.set(id, Math.max(this.abandoned.get(id)!, until));
      return;
    } finally {
      this.beating = false;
    }
    this.refreshPresence();
  }
}
