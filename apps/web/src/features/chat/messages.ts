import type { Message } from '@bellhop/protocol';

/** Merges messages into an ascending, seq-unique list (the server's copy wins). */
export function mergeMessages(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const last = existing[existing.length - 1];
  // Fast path: the usual case of one new message at the end.
  if (incoming.length === 1 && (!last || incoming[0]!.seq > last.seq)) return [...existing, incoming[0]!];
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export const DeliveryState = { Sending: 'sending', Sent: 'sent', Read: 'read', Failed: 'failed' } as const;
export type DeliveryState = (typeof DeliveryState)[keyof typeof DeliveryState];

const readKey = (conversationId: string, side: string) => `bellhop.read.${side}.${conversationId}`;

/** The other side's read cursor is only announced live; remember it across reloads. */
export function loadReadCursor(conversationId: string, side: string): number {
  try {
    return Number(localStorage.getItem(readKey(conversationId, side))) || 0;
  } catch {
    return 0;
  }
}

export function saveReadCursor(conversationId: string, side: string, seq: number): void {
  try {
    localStorage.setItem(readKey(conversationId, side), String(seq));
  } catch {
    // Storage disabled: the ticks fall back to "sent" after a reload.
  }
}
