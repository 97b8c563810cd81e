import { Inject, type BeforeApplicationShutdown } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import {
  CloseCode,
  Limits,
  parseClientFrameValue,
  WsErrorCode,
  type ClientFrame,
  type FrameError,
  type ParseResult,
} from '@bellhop/protocol';
import type { Logger } from 'pino';
import WebSocket, { type RawData } from 'ws';
import { AppException, isDatabaseUnavailable, wsCodeOf } from '../../common/app-exception.js';
import { LOGGER } from '../../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { MetricsService } from '../health/metrics.service.js';
import { MessagesService } from '../messages/messages.service.js';
import { ClusterService } from './cluster.service.js';
import { Connection } from './connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import { HANDSHAKE, WsHandshakeService, type HandshakeRequest } from './ws-handshake.service.js';

/** The heartbeat visits one of this many groups of sockets per heartbeatMs / HEARTBEAT_SLOTS. */
const HEARTBEAT_SLOTS = 50;
/** Shutdown waits this long for in-flight frames, then for sockets to close, before cutting them. */
const DRAIN_TIMEOUT_MS = 3_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refOf(frame: ClientFrame): string {
  return frame.event === 'message.send' ? frame.data.clientMsgId : frame.event;
}

/**
 * The WebSocket transport: reads each frame itself (so malformed input gets an `error` frame,
 * never silence), applies the per-connection limits, keeps each connection's frames in order,
 * and makes one service call per frame.
 */
@WebSocketGateway({ path: '/ws' })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly heartbeatGroups = Array.from({ length: HEARTBEAT_SLOTS }, () => new Set<Connection>());
  private heartbeatTick = 0;
  private heartbeatNext = 0;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly cluster: ClusterService,
    private readonly handshake: WsHandshakeService,
    private readonly messages: MessagesService,
    private readonly conversations: ConversationsService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'gateway' });
  }

  afterInit(): void {
    // The sockets are spread over HEARTBEAT_SLOTS groups and one group is visited per slice of the
    // interval: each socket is still pinged once per heartbeatMs, but the pings of thousands of
    // sockets do not all go out in one tick (which stalled every other socket for that long).
    this.heartbeat = setInterval(() => {
      const group = this.heartbeatGroups[this.heartbeatTick];
      this.heartbeatTick = (this.heartbeatTick + 1) % HEARTBEAT_SLOTS;
      // Drops the sockets that did not answer the previous ping, then pings the rest.
      for (const c of group) {
        if (!c.alive) {
          // A peer that is alive but not answering reads why; a dead one simply loses the connection.
          c.close(CloseCode.Timeout, 'heartbeat missed');
          continue;
        }
        c.alive = false;
        try {
          c.ws.ping();
        } catch {
          c.ws.terminate();
        }
      }
    }, this.config.heartbeatMs / HEARTBEAT_SLOTS);
    this.heartbeat.unref();
  }

  handleConnection(ws: WebSocket, req: HandshakeRequest): void {
    const hs = req[HANDSHAKE];
    if (!hs) {
      ws.terminate();
      return;
    }
    const c = new Connection(hs.connectionId, ws, hs.actor, hs.expiresAt, this.jobFailed);
    this.registry.add(c);
    c.heartbeatGroup = this.heartbeatNext;
    this.heartbeatNext = (this.heartbeatNext + 1) % HEARTBEAT_SLOTS;
    this.heartbeatGroups[c.heartbeatGroup].add(c);
    this.metrics.connections.inc({ type: c.actor.type });
    ws.on('message', (data, isBinary) => this.onFrame(c, data, isBinary));
    ws.on('pong', () => (c.alive = true));
    ws.on('error', () => undefined);
    ws.once('close', () => this.onClose(c));

    // The token stops being accepted at exp + leeway; so does the socket.
    const expiresIn = Math.max(0, hs.expiresAt + Limits.jwtLeewaySeconds * 1000 - Date.now());
    c.expiryTimer = setTimeout(() => c.close(CloseCode.Unauthorized, 'token expired'), Math.min(expiresIn, 2 ** 31 - 1));
    c.expiryTimer.unref();

    const actor = c.actor;
    if (actor.type === 'staff') {
      c.sendEvent('session.ready', {
        user: { type: 'staff', id: actor.id, name: actor.name, role: actor.role },
        serverTime: new Date().toISOString(),
        heartbeatMs: this.config.heartbeatMs,
        conversations: [],
      });
      if (this.registry.staff.get(actor.id)?.size === 1) this.staffChanged();
      return;
    }
    // A guest also learns how far staff have read (read ticks after a reload), read in the handshake.
    c.sendEvent('session.ready', {
      user: { type: 'guest', id: actor.id, name: actor.name },
      serverTime: new Date().toISOString(),
      heartbeatMs: this.config.heartbeatMs,
      conversations: [{ id: actor.conversationId, lastSeq: hs.lastSeq, ...(hs.staffReadSeq > 0 ? { staffReadSeq: hs.staffReadSeq } : {}) }],
    });
    c.sendEvent('presence', { staffOnline: this.cluster.presence });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.handshake.stopAccepting();
    clearInterval(this.heartbeat);
    // Every send already enqueued is committed and answered before its socket closes; one still
    // queued behind another frame is answered `unavailable` (shutting down), so its client retries.
    await this.messages.drain();
    await withTimeout(Promise.allSettled([...this.registry.all].map((c) => c.handled())), DRAIN_TIMEOUT_MS);
    const closed = [...this.registry.all].map((c) => new Promise<void>((resolve) => {
      if (c.ws.readyState === WebSocket.CLOSED) return resolve();
      c.ws.once('close', () => resolve());
      c.close(CloseCode.GoingAway, 'server shutting down');
    }));
    await withTimeout(Promise.all(closed), DRAIN_TIMEOUT_MS);
    for (const c of this.registry.all) c.ws.terminate();
    await this.cluster.stop();
  }

  private onClose(c: Connection): void {
    c.closing = true;
    clearTimeout(c.expiryTimer);
    const lastOfStaff = this.registry.remove(c);
    this.heartbeatGroups[c.heartbeatGroup].delete(c);
    this.cluster.release(c.id);
    this.metrics.connections.dec({ type: c.actor.type });
    if (lastOfStaff) this.staffChanged();
  }

  private staffChanged(): void {
    this.cluster.localStaffChanged();
    this.cluster.staffChanged();
  }

  private onFrame(c: Connection, data: RawData, isBinary: boolean): void {
    if (c.closing || c.stopReading) return;
    let parsed: ParseResult<ClientFrame>;
    let isSend = false;
    if (isBinary) {
      parsed = { ok: false, error: { code: WsErrorCode.BadRequest, message: 'binary frames are not accepted; send JSON text' } };
    } else {
      let value: unknown;
      try {
        value = JSON.parse(rawToString(data));
        isSend = isRecord(value) && value.event === 'message.send';
        parsed = parseClientFrameValue(value);
      } catch {
        parsed = { ok: false, error: { code: WsErrorCode.BadRequest, message: 'frame is not valid JSON' } };
      }
    }
    // Every message.send that parses as JSON takes a send token, valid or not; all else a general one.
    if (!(isSend ? c.sendBucket : c.eventBucket).take()) {
      this.rateLimited(c, parsed.ok ? refOf(parsed.frame) : parsed.error.ref);
      return;
    }
    if (!parsed.ok) {
      const error = parsed.error;
      // Answers keep the order of the frames they answer.
      c.inOrder(() => this.sendError(c, error));
      return;
    }
    this.dispatch(c, parsed.frame);
  }

  private dispatch(c: Connection, frame: ClientFrame): void {
    if (frame.event === 'message.send') {
      const data = frame.data;
      // Enqueued in frame order (so this connection's messages get increasing seqs), answered after COMMIT.
      c.inOrder(() => {
        c.trackSend(
          this.messages.send(c.actor, data, c.id).then(
            (message) => c.sendEvent('message.ack', { clientMsgId: data.clientMsgId, message }),
            (err: unknown) => this.fail(c, err, data.clientMsgId),
          ),
        );
      });
      return;
    }
    c.inOrder(async () => {
      await c.sendsAnswered();
      if (c.closing) return;
      try {
        await this.handle(c, frame);
      } catch (err) {
        this.fail(c, err, refOf(frame));
      }
    });
  }

  private async handle(c: Connection, frame: Exclude<ClientFrame, { event: 'message.send' }>): Promise<void> {
    switch (frame.event) {
      case 'conversation.sync':
        c.sendEvent('conversation.messages', await this.messages.sync(c.actor, frame.data));
        return;
      case 'conversation.read':
        await this.conversations.markRead(c.actor, frame.data, c.id);
        return;
      case 'typing': {
        const now = Date.now();
        // A throttled `active: true` is dropped only once the conversation is known to be visible:
        // one the caller may not see answers not_found all the same.
        const announce = !frame.data.active || now - c.lastTypingAt >= Limits.typingThrottleMs;
        await this.conversations.typing(c.actor, frame.data, announce);
        if (frame.data.active && announce) c.lastTypingAt = now;
        return;
      }
      case 'inbox.sync':
        c.sendEvent('inbox.snapshot', { conversations: await this.conversations.inbox(c.actor) });
        return;
      case 'ping':
        c.sendEvent('pong', { t: frame.data.t, serverTime: new Date().toISOString() });
        return;
    }
  }

  /** An unexpected error of a frame's handling (or of a job that failed outside it): logged; the connection goes on. */
  private readonly jobFailed = (err: unknown): void => {
    const e = err as Error;
    this.logger.error({ err: { name: e?.name, message: e?.message, stack: e?.stack } }, 'frame handling failed');
  };

  /** The one mapping from errors to `error` frames. */
  private fail(c: Connection, err: unknown, ref: string): void {
    if (err instanceof AppException) {
      this.sendError(c, { code: wsCodeOf(err.kind), message: err.message, ref });
      return;
    }
    if (isDatabaseUnavailable(err)) {
      this.sendError(c, { code: WsErrorCode.Unavailable, message: 'the database cannot be reached or did not answer in time; nothing was stored, retry', ref });
      return;
    }
    this.jobFailed(err);
    this.sendError(c, { code: WsErrorCode.Internal, message: 'internal error', ref });
  }

  private sendError(c: Connection, error: FrameError | { code: WsErrorCode; message: string; ref?: string }): void {
    this.metrics.errors.inc({ transport: 'ws', code: error.code });
    c.sendEvent('error', error.ref === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, ref: error.ref });
  }

  private rateLimited(c: Connection, ref: string | undefined): void {
    c.inOrder(() => this.sendError(c, { code: WsErrorCode.RateLimited, message: 'too many frames; slow down', ref }));
    if (!c.rateLimited.hit()) return;
    // Read nothing more; answer what was already accepted, then close.
    c.stopReading = true;
    void withTimeout(c.handled().then(() => c.sendsAnswered()), DRAIN_TIMEOUT_MS).then(() => c.close(CloseCode.RateLimited, 'rate limited'));
  }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
