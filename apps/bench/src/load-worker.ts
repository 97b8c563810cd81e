/**
 * A worker thread that holds many client sockets: guests (sending at an open-loop rate and timing
 * their acks) or staff consoles (timing deliveries and checking order). The hot receive path
 * parses JSON only; one frame in SAMPLE_EVERY is also validated against the protocol schemas.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL, parseServerFrame } from '@bellhop/protocol';
import { HeldSocket } from './held-socket.js';
import { Histogram, SeqTracker } from './stats.js';
import type { ClientSpec, WorkerCommand, WorkerData, WorkerReply, WorkerStats } from './worker-protocol.js';

const SAMPLE_EVERY = 512;
const TICK_MS = 2;
const BODY_TEXT = ' Could we have two extra towels and a late checkout tomorrow, please?';

const init = workerData as WorkerData;
const port = parentPort!;

/** Milliseconds on the system-wide monotonic clock: comparable across threads and processes. */
function nowMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

interface Client {
  spec: ClientSpec;
  ws: WebSocket | undefined;
  /** The connections phase: a socket only held (see HeldSocket). */
  held: HeldSocket | undefined;
  open: boolean;
  /** Guests: frame text up to the clientMsgId, and the first 24 characters of every clientMsgId. */
  framePrefix: string;
  idPrefix: string;
  counter: number;
  pending: Set<number>;
  highestAcked: number;
  lastSeq: number;
  /** Consoles: their own order check. */
  tracker: SeqTracker | undefined;
}

const clients: Client[] = [];
/** This thread's own event-loop delay: late timers and late reads inflate what it measures. */
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let closing = false;

const ackHist = new Histogram();
const deliveryHist = new Histogram();
const counters = {
  sent: 0,
  acked: 0,
  sendErrors: 0,
  skipped: 0,
  duplicates: 0,
  outOfOrder: 0,
  delivered: 0,
  windowSent: 0,
  windowAcked: 0,
  windowDelivered: 0,
  frames: 0,
};
let errors: Record<string, number> = {};

function countError(key: string): void {
  errors[key] = (errors[key] ?? 0) + 1;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function makeClient(spec: ClientSpec): Client {
  const framePrefix = spec.conversationId
    ? `{"event":"message.send","data":{"conversationId":"${spec.conversationId}","clientMsgId":"`
    : '';
  return {
    spec,
    ws: undefined,
    held: undefined,
    open: false,
    framePrefix,
    idPrefix: `${hex(spec.index, 8)}-${hex(init.runTag, 4)}-4000-8000-`,
    counter: 0,
    pending: new Set(),
    highestAcked: 0,
    lastSeq: 0,
    tracker: init.role === 'consoles' ? new SeqTracker(spec.baseline) : undefined,
  };
}

function onGuestFrame(c: Client, text: string): void {
  let frame: { event: string; data: { clientMsgId?: string; message?: { seq: number; body: string }; code?: string; ref?: string } };
  try {
    frame = JSON.parse(text) as typeof frame;
  } catch {
    countError('frame not JSON');
    return;
  }
  if (frame.event === 'message.ack') {
    const id = frame.data.clientMsgId!;
    const n = parseInt(id.slice(24), 16);
    if (!id.startsWith(c.idPrefix) || !c.pending.delete(n)) {
      counters.duplicates++;
      return;
    }
    const message = frame.data.message!;
    if (n < c.highestAcked || message.seq <= c.lastSeq) counters.outOfOrder++;
    if (n > c.highestAcked) c.highestAcked = n;
    if (message.seq > c.lastSeq) c.lastSeq = message.seq;
    counters.acked++;
    counters.windowAcked++;
    ackHist.record(nowMs() - parseFloat(message.body));
  } else if (frame.event === 'error') {
    countError(`error ${frame.data.code}`);
    const ref = frame.data.ref;
    if (ref && ref.startsWith(c.idPrefix) && c.pending.delete(parseInt(ref.slice(24), 16))) counters.sendErrors++;
  }
}

function onConsoleFrame(c: Client, text: string): void {
  let frame: { event: string; data: { message?: { conversationId: string; seq: number; body: string }; code?: string } };
  try {
    frame = JSON.parse(text) as typeof frame;
  } catch {
    countError('frame not JSON');
    return;
  }
  if (frame.event === 'message.new') {
    const m = frame.data.message!;
    if (c.tracker!.see(m.conversationId, m.seq)) {
      counters.delivered++;
      counters.windowDelivered++;
      const sentAt = parseFloat(m.body);
      if (sentAt > 0) deliveryHist.record(nowMs() - sentAt);
    }
  } else if (frame.event === 'error') {
    countError(`error ${frame.data.code}`);
  }
}

function connect(c: Client, url: string, localAddress: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (!settled) {
        settled = true;
        resolve(ok);
      }
    };
    const ws = new WebSocket(url, [SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${c.spec.token}`], {
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
      localAddress,
    });
    c.ws = ws;
    const onFrame = init.role === 'guests' ? onGuestFrame : onConsoleFrame;
    ws.on('open', () => {
      c.open = true;
      done(true);
    });
    ws.on('message', (raw, isBinary) => {
      const text = raw.toString();
      if (isBinary) countError('binary frame');
      if (++counters.frames % SAMPLE_EVERY === 0) {
        const parsed = parseServerFrame(text);
        if (!parsed.ok) countError(`invalid frame (${parsed.error.message.slice(0, 80)})`);
      }
      onFrame(c, text);
    });
    ws.on('unexpected-response', (_req, res) => {
      countError(`handshake ${res.statusCode}`);
      res.resume();
      ws.terminate();
      done(false);
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      if (!settled) countError(`connect ${err.code ?? err.message.slice(0, 60)}`);
      done(false);
    });
    ws.on('close', (code) => {
      if (c.open && !closing) countError(`close ${code}`);
      c.open = false;
      done(false);
    });
  });
}

async function connectHeld(c: Client, url: string, localAddress: string | undefined): Promise<boolean> {
  const held = await HeldSocket.open(url, [SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${c.spec.token}`], localAddress, 30_000, (code) => {
    if (c.open && !closing) countError(`close ${code}`);
    c.open = false;
  });
  if (!(held instanceof HeldSocket)) {
    countError('status' in held ? `handshake ${held.status}` : `connect ${held.error}`);
    return false;
  }
  c.held = held;
  c.open = !held.closed;
  return c.open;
}

async function connectAll(url: string, specs: ClientSpec[], concurrency: number, hold: boolean): Promise<WorkerReply> {
  closing = false;
  const start = performance.now();
  const batch = specs.map(makeClient);
  clients.push(...batch);
  let next = 0;
  let opened = 0;
  let failed = 0;
  let retried = 0;
  const addresses = init.localAddresses;
  const open = hold ? connectHeld : connect;
  const lane = async () => {
    while (next < batch.length) {
      const i = next++;
      const c = batch[i];
      const ok = await open(c, url, addresses.length ? addresses[(c.spec.index + i) % addresses.length] : undefined);
      if (ok) opened++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, lane));
  const elapsedMs = performance.now() - start;
  // Sockets refused along the way get two more tries (not timed): the workload wants them all.
  for (let attempt = 0; attempt < 2 && failed > 0; attempt++) {
    await new Promise((r) => setTimeout(r, 500));
    for (const c of batch) {
      if (c.open || closing) continue;
      if (await open(c, url, addresses.length ? addresses[c.spec.index % addresses.length] : undefined)) {
        failed--;
        retried++;
      }
    }
  }
  return { cmd: 'connected', opened, failed, retried, elapsedMs };
}

// Open-loop sending: guests in turn, so each guest sends evenly spaced at rate / guests.
let rate = 0;
let rateStart = 0;
let sentAtRate = 0;
let cursor = 0;
let timer: NodeJS.Timeout | undefined;

function tick(): void {
  if (rate <= 0 || clients.length === 0) return;
  const due = Math.floor((rate * (performance.now() - rateStart)) / 1000) - sentAtRate;
  for (let k = 0; k < due; k++) {
    sentAtRate++;
    // A guest whose socket is not open passes its turn to the next one.
    let c = clients[cursor];
    for (let tries = 0; !c.open && tries < clients.length; tries++) {
      cursor = cursor + 1 === clients.length ? 0 : cursor + 1;
      c = clients[cursor];
    }
    cursor = cursor + 1 === clients.length ? 0 : cursor + 1;
    if (!c.open) {
      counters.skipped++;
      continue;
    }
    const n = ++c.counter;
    c.pending.add(n);
    c.ws!.send(`${c.framePrefix}${c.idPrefix}${hex(n, 12)}","body":"${nowMs().toFixed(3)}${BODY_TEXT}"}}`);
    counters.sent++;
    counters.windowSent++;
  }
}

function setRate(perSecond: number): void {
  rate = perSecond;
  rateStart = performance.now();
  sentAtRate = 0;
  if (perSecond > 0 && !timer) timer = setInterval(tick, TICK_MS);
  if (perSecond <= 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

function snapshot(resetWindow: boolean): WorkerStats {
  let pending = 0;
  let open = 0;
  const uniquePerConsole: number[] = [];
  let missing = 0;
  let consoleDuplicates = 0;
  let consoleOutOfOrder = 0;
  for (const c of clients) {
    pending += c.pending.size;
    if (c.open) open++;
    if (c.tracker) {
      uniquePerConsole.push(c.tracker.unique);
      missing += c.tracker.missing();
      consoleDuplicates += c.tracker.duplicates;
      consoleOutOfOrder += c.tracker.outOfOrder;
    }
  }
  const stats: WorkerStats = {
    ...counters,
    duplicates: counters.duplicates + consoleDuplicates,
    outOfOrder: counters.outOfOrder + consoleOutOfOrder,
    pending,
    open,
    uniquePerConsole,
    missing,
    errors: { ...errors },
    ackHist: ackHist.toSparse(),
    deliveryHist: deliveryHist.toSparse(),
    cpuUser: process.cpuUsage().user,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
  };
  if (resetWindow) {
    ackHist.reset();
    deliveryHist.reset();
    counters.windowSent = 0;
    counters.windowAcked = 0;
    counters.windowDelivered = 0;
    loopDelay.reset();
  }
  return stats;
}

async function closeAll(): Promise<void> {
  closing = true;
  setRate(0);
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.held) return void c.held.close(3000).then(resolve);
          const ws = c.ws;
          if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close(1000);
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 3000).unref();
        }),
    ),
  );
  clients.length = 0;
  cursor = 0;
  for (const k of Object.keys(counters) as (keyof typeof counters)[]) counters[k] = 0;
  errors = {};
  ackHist.reset();
  deliveryHist.reset();
}

port.on('message', (msg: WorkerCommand) => {
  void (async () => {
    switch (msg.cmd) {
      case 'connect':
        port.postMessage(await connectAll(msg.url, msg.clients, msg.concurrency, msg.hold ?? false));
        break;
      case 'rate':
        setRate(msg.perSecond);
        port.postMessage({ cmd: 'ok' } satisfies WorkerReply);
        break;
      case 'snapshot':
        port.postMessage({ cmd: 'snapshot', stats: snapshot(msg.resetWindow) } satisfies WorkerReply);
        break;
      case 'close':
        await closeAll();
        port.postMessage({ cmd: 'ok' } satisfies WorkerReply);
        break;
    }
  })();
});
