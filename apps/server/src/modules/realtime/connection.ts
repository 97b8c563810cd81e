import { CloseCode, encodeFrame, Limits, type ServerEventData, type ServerEventName } from '@bellhop/protocol';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { Actor } from '../../common/actor.js';
import { TokenBucket, WindowCounter } from './token-bucket.js';

/** A serialised server frame, encoded once and sent to any number of sockets. */
export type EncodedFrame = Buffer;

export function encode<E extends ServerEventName>(event: E, data: ServerEventData[E]): EncodedFrame {
  return Buffer.from(encodeFrame({ event, data }), 'utf8');
}

/** A slow reader's close frame waits behind its backlog: give it this long, then cut the TCP connection. */
const CLOSE_GRACE_MS = 1_000;

/** One open socket and its per-connection state (rate limits, ordering, heartbeat). */
export class Connection {
  readonly sendBucket = new TokenBucket(Limits.sendBurst, Limits.sendPerSecond);
  readonly eventBucket = new TokenBucket(Limits.eventBurst, Limits.eventPerSecond);
  readonly rateLimited = new WindowCounter(Limits.rateLimitedCloseCount, Limits.rateLimitedWindowMs);
  /**
   * Frames are handled strictly one after another: the tail of that chain, and how many of its
   * jobs are still running (a job that finished synchronously was never counted).
   */
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Sends enqueued but not yet answered; a later non-send frame waits for them. */
  private unanswered = 0;
  private allAnswered: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Answered the last heartbeat ping. */
  alive = true;
  lastTypingAt = 0;
  /** Which of the gateway's heartbeat groups this socket is in. */
  heartbeatGroup = 0;
  closing = false;
  /** Set when the connection is about to close: further frames are ignored. */
  stopReading = false;
  expiryTimer: NodeJS.Timeout | undefined;
  /** Frames sent in this tick are held back and written together on the next one. */
  private corked = false;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    readonly actor: Actor,
    readonly expiresAt: number,
    /** Told of a frame job that failed: jobs answer their own errors, so this is a defect to log. */
    private readonly jobFailed: (err: unknown) => void,
  ) {}

  /**
   * Runs a frame's handling after that of every frame before it. With none pending it starts at
   * once and, if it finishes synchronously (a send is only enqueued), leaves nothing behind: state
   * kept on this long-lived object for seconds would outlive the young generation of the heap and
   * make every garbage collection of it slower.
   */
  inOrder(job: () => void | Promise<void>): void {
    if (this.queued > 0) {
      this.hold(this.tail.then(job));
      return;
    }
    try {
      const running = job();
      if (running) this.hold(running);
    } catch (err) {
      this.jobFailed(err);
    }
  }

  /**
   * Resolves once every frame queued so far is handled: a send counts as handled once enqueued;
   * sendsAnswered() tells when it is answered.
   */
  handled(): Promise<void> {
    return this.tail;
  }

  /** Counts a send until it is answered (its ack or error frame is sent). */
  trackSend(answered: Promise<void>): void {
    this.unanswered++;
    void answered.finally(() => {
      if (--this.unanswered > 0 || !this.allAnswered) return;
      this.allAnswered.resolve();
      this.allAnswered = undefined;
    });
  }

  /** Resolves once every send enqueued so far is answered. */
  sendsAnswered(): Promise<void> {
    if (this.unanswered === 0) return Promise.resolve();
    if (!this.allAnswered) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.allAnswered = { promise, resolve };
    }
    return this.allAnswered.promise;
  }

  private hold(running: Promise<void>): void {
    this.queued++;
    this.tail = running.then(
      () => {
        this.queued--;
      },
      (err: unknown) => {
        this.queued--;
        this.jobFailed(err);
      },
    );
  }

  get subjectKey(): string {
    return `${this.actor.type}:${this.actor.id}`;
  }

  get open(): boolean {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a frame; a reader whose unsent backlog passed the limit is cut off instead. */
  send(frame: EncodedFrame): void {
    if (!this.open) return;
    if (this.ws.bufferedAmount > Limits.slowReaderBytes) {
      this.close(CloseCode.Timeout, 'too slow a reader');
      return;
    }
    if (!this.corked) this.cork();
    this.ws.send(frame, { binary: false });
  }

  /** A burst (a batch of messages, a batch's acks) becomes one write on the socket instead of one per frame. */
  private cork(): void {
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    if (!socket) return;
    this.corked = true;
    socket.cork();
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  sendEvent<E extends ServerEventName>(event: E, data: ServerEventData[E]): void {
    this.send(encode(event, data));
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.expiryTimer);
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
      return;
    }
    setTimeout(() => {
      if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
    }, CLOSE_GRACE_MS).unref();
  }
}
