import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SUBPROTOCOL, type ClientEventInput, type ClientEventName, type Message, type ServerEventData, type ServerEventName } from '@bellhop/protocol';
import WebSocket from 'ws';

export interface Frame<E extends ServerEventName = ServerEventName> {
  event: E;
  data: ServerEventData[E];
}

export interface ConnectOptions {
  origin?: string;
  /** Subprotocols to offer instead of `bellhop.v1` + `bearer.<token>`. */
  protocols?: string[];
  /** Answer the server's pings (default true). */
  autoPong?: boolean;
}

const DEFAULT_TIMEOUT = 5_000;

/** A real `ws` client that records every frame it receives. */
export class TestSocket {
  readonly frames: Frame[] = [];
  private waiters: Array<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  closeCode: number | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const frame = JSON.parse(isBinary ? '' : data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('error', () => undefined);
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send<E extends ClientEventName>(event: E, data: ClientEventInput[E]): void {
    this.ws.send(JSON.stringify({ event, data }));
  }

  raw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a message and returns its clientMsgId. */
  sendMessage(conversationId: string, body: string, clientMsgId: string = randomUUID()): string {
    this.send('message.send', { conversationId, clientMsgId, body });
    return clientMsgId;
  }

  /** The first frame (already received or coming) that matches, or a timeout error. */
  waitFor<E extends ServerEventName>(event: E, test: (data: ServerEventData[E]) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT, from = 0): Promise<Frame<E>> {
    const match = (f: Frame) => f.event === event && test(f.data as ServerEventData[E]);
    const seen = this.frames.slice(from).find(match);
    if (seen) return Promise.resolve(seen as Frame<E>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${event}; got: ${this.frames.map((f) => f.event).join(', ')}`));
      }, timeoutMs);
      const waiter = {
        test: match,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f as Frame<E>);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** The next frame of this event after the frames seen so far. */
  next<E extends ServerEventName>(event: E, test: (data: ServerEventData[E]) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT): Promise<Frame<E>> {
    return this.waitFor(event, test, timeoutMs, this.frames.length);
  }

  /** A request/answer round trip that proves every earlier frame was handled. */
  async ping(): Promise<void> {
    const t = Math.random();
    this.send('ping', { t });
    await this.waitFor('pong', (d) => d.t === t);
  }

  ofEvent<E extends ServerEventName>(event: E): ServerEventData[E][] {
    return this.frames.filter((f) => f.event === event).map((f) => f.data as ServerEventData[E]);
  }

  messagesNew(conversationId?: string): Message[] {
    return this.ofEvent('message.new')
      .map((d) => d.message)
      .filter((m) => !conversationId || m.conversationId === conversationId);
  }

  errors(): ServerEventData['error'][] {
    return this.ofEvent('error');
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens a socket with the protocol's subprotocols and waits for `session.ready`. */
export async function connect(wsUrl: string, token: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const ws = new WebSocket(wsUrl, options.protocols ?? [SUBPROTOCOL, `bearer.${token}`], {
    headers: options.origin ? { origin: options.origin } : {},
    autoPong: options.autoPong ?? true,
  });
  const socket = new TestSocket(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res: IncomingMessage) => reject(new HandshakeRefused(res.statusCode ?? 0)));
    ws.once('error', reject);
  });
  await socket.waitFor('session.ready');
  return socket;
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`handshake refused with ${status}`);
  }
}

/** The HTTP status a handshake is refused with (or 101 when it is accepted). */
export async function handshakeStatus(wsUrl: string, protocols: string[], headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(wsUrl, protocols, { headers });
  ws.on('error', () => undefined);
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
