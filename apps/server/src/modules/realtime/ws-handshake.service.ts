import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { BEARER_SUBPROTOCOL_PREFIX, HandshakeStatus, SUBPROTOCOL } from '@bellhop/protocol';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Actor } from '../../common/actor.js';
import { AppException, ErrorKind, isDatabaseUnavailable } from '../../common/app-exception.js';
import { LOGGER } from '../../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AuthService } from '../auth/auth.service.js';
import { MetricsService } from '../health/metrics.service.js';
import { ClusterService } from './cluster.service.js';

/** What the handshake established, handed to the gateway with the upgrade request. */
export interface HandshakeResult {
  connectionId: string;
  actor: Actor;
  expiresAt: number;
  /** For a guest, for `session.ready`: its conversation's last seq and how far staff have read. */
  lastSeq: number;
  staffReadSeq: number;
}

export const HANDSHAKE = Symbol('bellhop.handshake');
export type HandshakeRequest = IncomingMessage & { [HANDSHAKE]?: HandshakeResult };

class Refusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * A socket's error listener, declared out here: a closure made inside `upgrade` would share its
 * scope and keep the upgrade request (headers, token) alive as long as the socket.
 */
function ignoreError(): void {}

/** The offered subprotocols, in order. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').map((p) => p.trim()).filter(Boolean);
}

/**
 * Authenticates a WebSocket upgrade before any socket exists, in the protocol's order:
 * no `bellhop.v1` → 400; a foreign Origin → 403; no valid token (or a checked-out guest) → 401;
 * the subject's socket limit reached → 429; the database unreachable → 503.
 */
@Injectable()
export class WsHandshakeService {
  private readonly logger: Logger;
  private draining = false;

  constructor(
    private readonly auth: AuthService,
    private readonly cluster: ClusterService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'handshake' });
  }

  /** From now on every upgrade is refused with 503 (shutting down). */
  stopAccepting(): void {
    this.draining = true;
  }

  async upgrade(wss: WebSocketServer, path: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', ignoreError);
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '';
    }
    if (pathname !== path) return this.refuse(socket, 404, 'not found');

    let reserved: string | undefined;
    try {
      const result = await this.authenticate(req);
      reserved = result.connectionId;
      if (socket.destroyed) {
        this.cluster.release(reserved);
        return;
      }
      // ws answers a malformed upgrade itself (400) without calling back: free the reservation then.
      // The listener goes once the upgrade is done: it would keep the upgrade request (headers,
      // token) alive as long as the socket.
      const connectionId = result.connectionId;
      const releaseUnlessUpgraded = (): void => this.cluster.release(connectionId);
      socket.once('close', releaseUnlessUpgraded);
      (req as HandshakeRequest)[HANDSHAKE] = result;
      // The 101 answer and session.ready leave in one write.
      socket.cork();
      process.nextTick(() => socket.uncork());
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        socket.off('close', releaseUnlessUpgraded);
        this.metrics.handshakes.inc({ result: 'ok' });
        wss.emit('connection', ws, req);
      });
    } catch (err) {
      if (reserved) this.cluster.release(reserved);
      if (err instanceof Refusal) return this.refuse(socket, err.status, err.message);
      this.logger.error({ err: { message: (err as Error).message, stack: (err as Error).stack } }, 'handshake failed');
      return this.refuse(socket, 500, 'internal error');
    }
  }

  private async authenticate(req: IncomingMessage): Promise<HandshakeResult> {
    const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
    if (!offered.includes(SUBPROTOCOL)) throw new Refusal(HandshakeStatus.NoSubprotocol, `offer the subprotocol ${SUBPROTOCOL}`);
    if (this.draining) throw new Refusal(HandshakeStatus.Unavailable, 'shutting down');
    const origin = req.headers.origin;
    if (origin !== undefined && !this.config.allowedOrigins.includes(origin)) throw new Refusal(HandshakeStatus.ForbiddenOrigin, 'origin not allowed');
    const bearer = offered.find((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX));
    const token = bearer?.slice(BEARER_SUBPROTOCOL_PREFIX.length);
    if (!token) throw new Refusal(HandshakeStatus.Unauthorized, 'no access token');

    try {
      const claims = this.auth.verifyAccessToken(token);
      const connectionId = randomUUID();
      // One round trip: the session, the reservation, and for a guest what session.ready needs.
      const opened = await this.cluster.open(connectionId, claims);
      let authenticated: { actor: Actor; expiresAt: number };
      try {
        authenticated = this.auth.actorFromPrincipal(claims, opened.principal);
      } catch (err) {
        if (opened.registered) this.cluster.release(connectionId);
        throw err;
      }
      if (!opened.ok) throw new Refusal(HandshakeStatus.TooManySockets, 'too many open sockets');
      if (!opened.registered) throw new Error('the socket was not registered');
      return { connectionId, ...authenticated, lastSeq: opened.lastSeq, staffReadSeq: opened.staffReadSeq };
    } catch (err) {
      if (err instanceof Refusal) throw err;
      if (err instanceof AppException && err.kind === ErrorKind.Unauthorized) throw new Refusal(HandshakeStatus.Unauthorized, 'invalid or expired token');
      if (isDatabaseUnavailable(err)) throw new Refusal(HandshakeStatus.Unavailable, 'the database cannot be reached');
      throw err;
    }
  }

  private refuse(socket: Duplex, status: number, message: string): void {
    this.metrics.handshakes.inc({ result: String(status) });
    if (socket.destroyed) return;
    const body = `${message}\n`;
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
}
