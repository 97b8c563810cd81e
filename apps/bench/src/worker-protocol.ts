import type { SparseHistogram } from './stats.js';

/** One client socket a worker opens. */
export interface ClientSpec {
  /** Unique across the run: goes into clientMsgIds. */
  index: number;
  token: string;
  /** Guests: the conversation they write into. */
  conversationId?: string;
  /** Consoles: each conversation's lastSeq before the run. */
  baseline?: [string, number][];
}

export interface WorkerData {
  role: 'guests' | 'consoles';
  /** 16-bit tag of this run, part of every clientMsgId. */
  runTag: number;
  /** Source addresses to spread client sockets over (ephemeral ports). */
  localAddresses: string[];
}

export type WorkerCommand =
  /** `hold`: the sockets are only held (HeldSocket), not used to send. */
  | { cmd: 'connect'; url: string; clients: ClientSpec[]; concurrency: number; hold?: boolean }
  | { cmd: 'rate'; perSecond: number }
  | { cmd: 'snapshot'; resetWindow: boolean }
  | { cmd: 'close' };

export interface WorkerStats {
  sent: number;
  acked: number;
  sendErrors: number;
  skipped: number;
  duplicates: number;
  outOfOrder: number;
  delivered: number;
  windowSent: number;
  windowAcked: number;
  windowDelivered: number;
  frames: number;
  pending: number;
  open: number;
  uniquePerConsole: number[];
  missing: number;
  errors: Record<string, number>;
  ackHist: SparseHistogram;
  deliveryHist: SparseHistogram;
  cpuUser: number;
  /** Event-loop delay of the worker thread in the window (the load generator's own lateness). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export type WorkerReply =
  | { cmd: 'connected'; opened: number; failed: number; retried: number; elapsedMs: number }
  | { cmd: 'snapshot'; stats: WorkerStats }
  | { cmd: 'ok' };
