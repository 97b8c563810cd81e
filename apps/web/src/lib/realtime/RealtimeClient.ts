import {
  BEARER_SUBPROTOCOL_PREFIX,
  CloseCode,
  Limits,
  SUBPROTOCOL,
  encodeFrame,
  messageBodySchema,
  normalizeLineEnds,
  parseServerFrame,
  type ClientEventInput,
  type ClientEventName,
  type ConversationSummary,
  type ErrorFrameData,
  type Message,
  type ReadEvent,
  type ServerFrame,
  type SessionReady,
  type TypingEvent,
} from '@bellhop/protocol';
import { backoffDelay } from './backoff';
import { Emitter } from './emitter';
import { Outbox, OutboxStatus, type OutboxEntry, type StorageLike } from './outbox';

export const ConnectionState = {
  /** First connection attempt. */
  Connecting: 'connecting',
  /** `session.ready` received; frames flow. */
  Connected: 'connected',
  /** Dropped; trying again with backoff. */
  Reconnecting: 'reconnecting',
  /** The browser reports no network; waiting for `online`. */
  Offline: 'offline',
  /** The session is over (logged out elsewhere, checked out): no more attempts. */
  Ended: 'ended',
  /** Stopped by the app. */
  Stopped: 'stopped',
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

/** The minimal WebSocket surface used here: the browser's, or `ws` in Node. */
export interface SocketLike {
  readonly readyState: number;
  readonly protocol: string;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

/** Where a delivered message came from. */
export type MessageSource = 'new' | 'ack' | 'sync';

export interface RealtimeEvents extends Record<string, unknown> {
  state: ConnectionState;
  ready: SessionReady;
  /** A message, delivered once (deduplicated by `seq` for watched conversations). */
  message: { message: Message; source: MessageSource };
  /** The outbox changed (entries added, acknowledged, failed). */
  outbox: OutboxEntry[];
  read: ReadEvent;
  typing: TypingEvent;
  presence: { staffOnline: number };
  conversationUpdated: ConversationSummary;
  inboxSnapshot: ConversationSummary[];
  /** A watched conversation has caught up with the server. */
  synced: { conversationId: string };
  error: ErrorFrameData;
}

export type RefreshResult = 'ok' | 'ended';

export interface RealtimeOptions {
  /** Absolute `ws:`/`wss:` URL of `/ws`. */
  url: string;
  /** The current access token (refreshing it first when it is about to expire). */
  getToken(): Promise<string | null>;
  /** Swap the refresh cookie for a new access token; reject on a network error. */
  refresh(): Promise<RefreshResult>;
  createSocket?: SocketFactory;
  /** Where the outbox is kept (localStorage in the browser). */
  storage?: StorageLike | null;
  /** Storage key of the outbox; one per signed-in identity. */
  outboxKey?: string;
  pingIntervalMs?: number;
  pongDeadlineMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Listen to the window's online/offline/visibility events (default: when there is a window). */
  listenToWindow?: boolean;
  random?: () => number;
}

export class BodyError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'BodyError';
  }
}

interface Tracked {
  /** Every message up to this seq has been delivered. */
  lastSeq: number;
  /** Delivered seqs above `lastSeq` (arrived out of order, or across a gap). */
  above: Set<number>;
  syncing: boolean;
  resync: boolean;
  /** Syncs refused one after another (the database unavailable...): the backoff of the next try. */
  syncFailures: number;
  syncRetry?: ReturnType<typeof setTimeout>;
}

const OPEN = 1;
/** Refusals that will not change by retrying the same message. */
const PERMANENT_ERRORS = new Set(['bad_request', 'forbidden', 'not_found', 'unknown_event']);
const MAX_TRANSIENT_ATTEMPTS = 5;
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * The one socket client of the app. It authenticates the handshake with the subprotocol token,
 * reconnects (backoff with jitter; at once on `online` and when the tab becomes visible),
 * refreshes on 4401, detects dead connections with an app-level ping, resumes every watched
 * conversation from its last seen `seq`, and sends the outbox when the connection is back.
 */
export class RealtimeClient {
  private readonly events = new Emitter<RealtimeEvents>();
  private readonly outbox: Outbox;
  private readonly tracked = new Map<string, Tracked>();
  /** Outbox entries already written to the current socket. */
  private readonly inflight = new Set<string>();
  private readonly wantedRead = new Map<string, number>();
  private readonly sentRead = new Map<string, number>();
  private readonly retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /**
   * Conversations whose `conversation.sync` went out on this socket and is not answered yet, in
   * the order sent: the server answers a socket's frames in order, so a refused sync (an `error`
   * whose ref is the event name) is the oldest one here.
   */
  private syncsInFlight: { conversationId: string; tracked: Tracked }[] = [];

  private socket: SocketLike | null = null;
  private stateValue: ConnectionState = ConnectionState.Stopped;
  private readyValue: SessionReady | null = null;
  private attempt = 0;
  /** Consecutive attempts that never opened (a refused handshake looks like that in a browser). */
  private failedOpens = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private handshakeTimer: ReturnType<typeof setTimeout> | null = null;
  private inboxWanted = false;
  private started = false;
  private connecting = false;
  private readonly detachWindow: Array<() => void> = [];

  private readonly opts: Required<Omit<RealtimeOptions, 'storage' | 'createSocket'>> & {
    createSocket: SocketFactory;
  };

  constructor(options: RealtimeOptions) {
    this.opts = {
      outboxKey: 'bellhop.outbox',
      pingIntervalMs: 15_000,
      pongDeadlineMs: Limits.pongDeadlineMs,
      backoffBaseMs: 500,
      backoffMaxMs: 10_000,
      listenToWindow: typeof window !== 'undefined',
      random: Math.random,
      createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
      ...options,
    } as RealtimeClient['opts'];
    const storage = options.storage === undefined ? defaultStorage() : options.storage;
    this.outbox = new Outbox(storage, this.opts.outboxKey);
  }

  // ---- public API ---------------------------------------------------------------------------

  on<E extends keyof RealtimeEvents>(event: E, listener: (payload: RealtimeEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The last `session.ready`, or null before the first one. */
  get session(): SessionReady | null {
    return this.readyValue;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.opts.listenToWindow) this.attachWindow();
    void this.connect();
  }

  /** Closes the socket and stops reconnecting. The outbox stays in storage. */
  stop(): void {
    this.started = false;
    this.clearTimers();
    for (const detach of this.detachWindow.splice(0)) detach();
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    for (const t of this.tracked.values()) clearTimeout(t.syncRetry);
    this.dropSocket();
    if (this.stateValue !== ConnectionState.Ended) this.setState(ConnectionState.Stopped);
  }

  /**
   * Keeps a conversation up to date from `lastSeq` on: syncs now and after every reconnect,
   * and whenever a `message.new` skips a `seq`.
   */
  watch(conversationId: string, lastSeq: number): void {
    const existing = this.tracked.get(conversationId);
    if (existing) {
      if (lastSeq > existing.lastSeq) this.advance(existing, lastSeq);
    } else {
      this.tracked.set(conversationId, { lastSeq, above: new Set(), syncing: false, resync: false, syncFailures: 0 });
    }
    this.sync(conversationId);
  }

  unwatch(conversationId: string): void {
    clearTimeout(this.tracked.get(conversationId)?.syncRetry);
    this.tracked.delete(conversationId);
  }

  /** The highest contiguous `seq` delivered for a watched conversation. */
  lastSeq(conversationId: string): number | null {
    return this.tracked.get(conversationId)?.lastSeq ?? null;
  }

  /** Asks for `inbox.snapshot` now and after every reconnect (staff). */
  subscribeInbox(): void {
    this.inboxWanted = true;
    this.sendFrame('inbox.sync', {});
  }

  /**
   * Queues a message: it is stored in the outbox, sent now when connected, and resent after a
   * reconnect or a reload until the server acknowledges it. Throws BodyError for a body the
   * server would refuse.
   */
  send(conversationId: string, text: string): OutboxEntry {
    const body = normalizeLineEnds(text);
    const check = messageBodySchema.safeParse(body);
    if (!check.success) throw new BodyError(check.error.issues.map((i) => i.message));
    const entry: OutboxEntry = {
      clientMsgId: randomUuid(),
      conversationId,
      body,
      createdAt: new Date().toISOString(),
      status: OutboxStatus.Pending,
      attempts: 0,
    };
    this.outbox.add(entry);
    this.emitOutbox();
    this.transmit(entry);
    return entry;
  }

  /** Sends a failed message again, with the same `clientMsgId`. */
  retry(clientMsgId: string): void {
    const entry = this.outbox.update(clientMsgId, { status: OutboxStatus.Pending, error: undefined, attempts: 0 });
    if (!entry) return;
    this.inflight.delete(clientMsgId);
    this.emitOutbox();
    this.transmit(entry);
  }

  /** Drops a message that was not sent. */
  discard(clientMsgId: string): void {
    this.inflight.delete(clientMsgId);
    if (this.outbox.remove(clientMsgId)) this.emitOutbox();
  }

  pending(conversationId?: string): OutboxEntry[] {
    const all = this.outbox.list();
    return conversationId ? all.filter((e) => e.conversationId === conversationId) : all;
  }

  /** Moves the read cursor (sent now, or after the next reconnect). */
  markRead(conversationId: string, seq: number): void {
    if ((this.wantedRead.get(conversationId) ?? -1) >= seq) return;
    this.wantedRead.set(conversationId, seq);
    this.flushRead(conversationId);
  }

  typing(conversationId: string, active: boolean): void {
    this.sendFrame('typing', { conversationId, active });
  }

  /** Checks the connection now: a ping when connected, an immediate attempt otherwise. */
  wake(): void {
    if (!this.started || this.stateValue === ConnectionState.Ended) return;
    if (this.stateValue === ConnectionState.Connected) {
      this.ping();
      return;
    }
    if (this.socket || this.connecting) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.attempt = 0;
    void this.connect();
  }

  // ---- connection -----------------------------------------------------------------------------

  private setState(state: ConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.events.emit('state', state);
  }

  private hasEnded(): boolean {
    return this.stateValue === ConnectionState.Ended;
  }

  private isOffline(): boolean {
    return typeof navigator !== 'undefined' && navigator.onLine === false;
  }

  private async connect(): Promise<void> {
    if (!this.started || this.socket || this.connecting || this.stateValue === ConnectionState.Ended) return;
    if (this.isOffline()) {
      this.setState(ConnectionState.Offline);
      return;
    }
    this.connecting = true;
    this.setState(this.readyValue ? ConnectionState.Reconnecting : ConnectionState.Connecting);
    let token: string | null;
    try {
      // A browser cannot see why a handshake was refused; after two silent failures, refresh:
      // an expired or revoked token then shows up as a failed refresh.
      if (this.failedOpens >= 2) {
        this.failedOpens = 0;
        if ((await this.opts.refresh()) === 'ended') return this.end();
      }
      token = await this.opts.getToken();
      if (!token) {
        if ((await this.opts.refresh()) === 'ended') return this.end();
        token = await this.opts.getToken();
      }
    } catch {
      token = null;
    } finally {
      this.connecting = false;
    }
    if (!this.started || this.hasEnded()) return;
    if (!token) return this.scheduleReconnect();

    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url, [SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${token}`]);
    } catch {
      return this.scheduleReconnect();
    }
    this.socket = socket;
    let opened = false;
    this.handshakeTimer = setTimeout(() => {
      if (this.socket === socket && !this.readyValueFor(socket)) this.dropSocket(true);
    }, HANDSHAKE_TIMEOUT_MS);
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket && typeof ev.data === 'string') this.handleFrame(ev.data);
    };
    socket.onerror = () => {
      // A close event follows.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      if (!opened) this.failedOpens++;
      this.onClosed(ev.code);
    };
  }

  private readyFor: SocketLike | null = null;
  private readyValueFor(socket: SocketLike): boolean {
    return this.readyFor === socket;
  }

  private onClosed(code: number): void {
    this.socket = null;
    this.readyFor = null;
    this.inflight.clear();
    this.clearTimers();
    if (!this.started || this.stateValue === ConnectionState.Ended) return;
    if (code === CloseCode.Unauthorized) {
      this.setState(ConnectionState.Reconnecting);
      this.opts.refresh().then(
        (result) => {
          if (result === 'ended') this.end();
          else {
            this.failedOpens = 0;
            void this.connect();
          }
        },
        () => this.scheduleReconnect(),
      );
      return;
    }
    if (code === CloseCode.RateLimited) this.attempt = Math.max(this.attempt, 4);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.started || this.stateValue === ConnectionState.Ended) return;
    if (this.isOffline()) {
      this.setState(ConnectionState.Offline);
      return;
    }
    this.setState(this.readyValue ? ConnectionState.Reconnecting : ConnectionState.Connecting);
    if (this.reconnectTimer) return;
    const delay = backoffDelay(this.attempt++, this.opts.backoffBaseMs, this.opts.backoffMaxMs, this.opts.random);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  /** The session is over: stop for good. */
  private end(): void {
    this.dropSocket();
    this.clearTimers();
    for (const t of this.tracked.values()) clearTimeout(t.syncRetry);
    this.setState(ConnectionState.Ended);
  }

  /** Forgets the current socket at once (a dead peer may never finish the close handshake). */
  private dropSocket(reconnect = false): void {
    const socket = this.socket;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    try {
      socket.close(1000);
    } catch {
      // Already closing.
    }
    if (reconnect) this.onClosed(1006);
    else {
      this.socket = null;
      this.readyFor = null;
      this.inflight.clear();
    }
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.reconnectTimer = this.pingTimer = this.pongTimer = this.handshakeTimer = null;
  }

  private attachWindow(): void {
    const onOnline = () => this.wake();
    const onOffline = () => {
      // The socket may linger for minutes on a dead network: give it up now and wait for `online`.
      if (this.socket) this.dropSocket();
      this.clearTimers();
      this.setState(ConnectionState.Offline);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') this.wake();
    };
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    document.addEventListener('visibilitychange', onVisible);
    this.detachWindow.push(
      () => window.removeEventListener('online', onOnline),
      () => window.removeEventListener('offline', onOffline),
      () => document.removeEventListener('visibilitychange', onVisible),
    );
  }

  // ---- frames -------------------------------------------------------------------------------

  private sendFrame<E extends ClientEventName>(event: E, data: ClientEventInput[E]): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN || this.readyFor !== socket) return false;
    try {
      socket.send(encodeFrame({ event, data }));
      return true;
    } catch {
      return false;
    }
  }

  private ping(): void {
    if (this.pongTimer) return;
    if (!this.sendFrame('ping', { t: Date.now() })) return;
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      this.dropSocket(true);
    }, this.opts.pongDeadlineMs);
  }

  private handleFrame(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      console.warn('ignored a server frame:', parsed.error.message);
      return;
    }
    this.dispatch(parsed.frame);
  }

  private dispatch(frame: ServerFrame): void {
    switch (frame.event) {
      case 'session.ready':
        return this.onReady(frame.data);
      case 'message.ack': {
        const entry = this.outbox.get(frame.data.clientMsgId);
        this.inflight.delete(frame.data.clientMsgId);
        if (entry) {
          this.outbox.remove(entry.clientMsgId);
          this.emitOutbox();
        }
        this.deliver(frame.data.message, 'ack');
        return;
      }
      case 'message.new':
        this.deliver(frame.data.message, 'new');
        return;
      case 'conversation.messages':
        return this.onSyncPage(frame.data.conversationId, frame.data.messages, frame.data.hasMore);
      case 'conversation.read':
        this.events.emit('read', frame.data);
        return;
      case 'conversation.updated':
        this.events.emit('conversationUpdated', frame.data.conversation);
        return;
      case 'typing':
        this.events.emit('typing', frame.data);
        return;
      case 'inbox.snapshot':
        this.events.emit('inboxSnapshot', frame.data.conversations);
        return;
      case 'presence':
        this.events.emit('presence', frame.data);
        return;
      case 'pong':
        if (this.pongTimer) clearTimeout(this.pongTimer);
        this.pongTimer = null;
        return;
      case 'error':
        return this.onError(frame.data);
      default: {
        const never: never = frame;
        return never;
      }
    }
  }

  private onReady(data: SessionReady): void {
    const socket = this.socket;
    if (!socket) return;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.readyFor = socket;
    this.readyValue = data;
    this.attempt = 0;
    this.failedOpens = 0;
    this.setState(ConnectionState.Connected);
    this.pingTimer = setInterval(() => this.ping(), this.opts.pingIntervalMs);
    this.events.emit('ready', data);

    for (const { id, lastSeq } of data.conversations) {
      const t = this.tracked.get(id);
      if (t && lastSeq > t.lastSeq) t.resync = true;
    }
    this.syncsInFlight = [];
    for (const [id, t] of this.tracked) {
      clearTimeout(t.syncRetry);
      t.syncing = false;
      this.sync(id);
    }
    if (this.inboxWanted) this.sendFrame('inbox.sync', {});
    for (const id of this.wantedRead.keys()) this.flushRead(id, true);
    for (const entry of this.outbox.list()) this.transmit(entry);
  }

  private onError(data: ErrorFrameData): void {
    if (data.ref === 'conversation.sync') this.onSyncRefused(data.code);
    const entry = data.ref ? this.outbox.get(data.ref) : undefined;
    if (entry) {
      this.inflight.delete(entry.clientMsgId);
      const attempts = entry.attempts + 1;
      if (PERMANENT_ERRORS.has(data.code) || attempts >= MAX_TRANSIENT_ATTEMPTS) {
        this.outbox.update(entry.clientMsgId, { status: OutboxStatus.Failed, error: data.code, attempts });
      } else {
        // rate_limited, unavailable, internal: nothing was stored; try again shortly.
        this.outbox.update(entry.clientMsgId, { error: data.code, attempts });
        const timer = setTimeout(
          () => {
            this.retryTimers.delete(entry.clientMsgId);
            const current = this.outbox.get(entry.clientMsgId);
            if (current) this.transmit(current);
          },
          backoffDelay(attempts, 1000, 8000, this.opts.random),
        );
        this.retryTimers.set(entry.clientMsgId, timer);
      }
      this.emitOutbox();
    }
    this.events.emit('error', data);
  }

  private transmit(entry: OutboxEntry): void {
    if (entry.status !== OutboxStatus.Pending || this.inflight.has(entry.clientMsgId)) return;
    if (this.sendFrame('message.send', { conversationId: entry.conversationId, clientMsgId: entry.clientMsgId, body: entry.body })) {
      this.inflight.add(entry.clientMsgId);
    }
  }

  private flushRead(conversationId: string, force = false): void {
    const seq = this.wantedRead.get(conversationId);
    if (seq === undefined) return;
    if (!force && (this.sentRead.get(conversationId) ?? -1) >= seq) return;
    if (this.sendFrame('conversation.read', { conversationId, seq })) this.sentRead.set(conversationId, seq);
  }

  // ---- resume and dedupe ------------------------------------------------------------------------

  private sync(conversationId: string): void {
    const t = this.tracked.get(conversationId);
    if (!t) return;
    if (t.syncing) {
      t.resync = true;
      return;
    }
    if (this.sendFrame('conversation.sync', { conversationId, afterSeq: t.lastSeq, limit: Limits.syncMax })) {
      t.syncing = true;
      t.resync = false;
      this.syncsInFlight.push({ conversationId, tracked: t });
    }
  }

  /**
   * The oldest sync in flight was refused. Transient refusals (unavailable, rate_limited,
   * internal) are tried again with a backoff while the socket stays up; a conversation that no
   * longer exists (not_found) is left alone.
   */
  private onSyncRefused(code: string): void {
    const refused = this.syncsInFlight.shift();
    if (!refused) return;
    const { conversationId, tracked: t } = refused;
    // Unwatched since (and perhaps watched anew, with a sync of its own): nothing to do for this one.
    if (this.tracked.get(conversationId) !== t) return;
    t.syncing = false;
    if (PERMANENT_ERRORS.has(code)) return;
    clearTimeout(t.syncRetry);
    t.syncRetry = setTimeout(() => {
      t.syncRetry = undefined;
      if (this.tracked.get(conversationId) === t) this.sync(conversationId);
    }, backoffDelay(t.syncFailures++, 1000, 8000, this.opts.random));
  }

  private onSyncPage(conversationId: string, messages: Message[], hasMore: boolean): void {
    const asked = this.syncsInFlight.findIndex((s) => s.conversationId === conversationId);
    if (asked >= 0) this.syncsInFlight.splice(asked, 1);
    for (const message of messages) this.deliver(message, 'sync');
    const t = this.tracked.get(conversationId);
    if (!t) return;
    t.syncing = false;
    t.syncFailures = 0;
    if (hasMore && messages.length > 0) {
      this.sync(conversationId);
      return;
    }
    if (t.resync || (t.above.size > 0 && messages.length > 0)) {
      this.sync(conversationId);
      return;
    }
    if (t.above.size > 0) {
      // The server has nothing in the gap: stop waiting for it.
      this.advance(t, Math.max(...t.above));
    }
    this.events.emit('synced', { conversationId });
  }

  private advance(t: Tracked, toSeq: number): void {
    t.lastSeq = Math.max(t.lastSeq, toSeq);
    for (const seq of t.above) if (seq <= t.lastSeq) t.above.delete(seq);
    while (t.above.delete(t.lastSeq + 1)) t.lastSeq++;
  }

  /** Passes a message on once; notices gaps. */
  private deliver(message: Message, source: MessageSource): void {
    if (this.outbox.get(message.clientMsgId)) {
      // Our own message came back through sync or another path before its ack.
      this.outbox.remove(message.clientMsgId);
      this.inflight.delete(message.clientMsgId);
      this.emitOutbox();
    }
    const t = this.tracked.get(message.conversationId);
    if (t) {
      if (message.seq <= t.lastSeq || t.above.has(message.seq)) return;
      const gap = message.seq > t.lastSeq + 1;
      t.above.add(message.seq);
      this.advance(t, t.lastSeq);
      if (gap && source !== 'sync') this.sync(message.conversationId);
    }
    this.events.emit('message', { message, source });
  }

  private emitOutbox(): void {
    this.events.emit('outbox', this.outbox.list());
  }
}

function defaultStorage(): StorageLike | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function randomUuid(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Pages served over plain http on a LAN address are not a secure context: no randomUUID there.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
