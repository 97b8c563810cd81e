import type { Message } from '@bellhop/protocol';
import { encodeBusEvent, type BusEvent, type CommittedMessage } from './event-bus.js';

const message = (seq: number, body: string): Message => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  conversationId: '00000000-0000-4000-8000-000000000001',
  seq,
  clientMsgId: '00000000-0000-4000-8000-000000000002',
  sender: { type: 'guest', id: '00000000-0000-4000-8000-000000000003', name: 'Ada' },
  body,
  createdAt: '2026-11-25T18:05:23.000Z',
});
const item = (m: Message): CommittedMessage => ({ message: m, id: m.id, conversationId: m.conversationId, seq: m.seq });
const decode = (payloads: string[]) => payloads.map((p) => JSON.parse(p) as BusEvent);

describe('encodeBusEvent', () => {
  it('sends a small event as one payload', () => {
    const event: BusEvent = { type: 'conversation.changed', conversationId: '00000000-0000-4000-8000-000000000001' };
    expect(decode(encodeBusEvent(event))).toEqual([event]);
  });

  it('splits a large batch into payloads under the NOTIFY limit, keeping the order', () => {
    const items = Array.from({ length: 100 }, (_, i) => item(message(i + 1, 'x'.repeat(300))));
    const payloads = encodeBusEvent({ type: 'messages.committed', items });
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    const seqs = decode(payloads).flatMap((e) => (e.type === 'messages.committed' ? e.items.map((i) => i.seq) : []));
    expect(seqs).toEqual(items.map((i) => i.seq));
  });

  it('sends a message too large to travel by id only', () => {
    const big = message(1, '😀'.repeat(4000));
    const [event] = decode(encodeBusEvent({ type: 'messages.committed', items: [item(big), item(message(2, 'small'))] }));
    expect(event).toEqual({
      type: 'messages.committed',
      items: [
        { id: big.id, conversationId: big.conversationId, seq: 1 },
        { ...item(message(2, 'small')) },
      ],
    });
  });

  it('splits a long list of ended sessions', () => {
    const sessionIds = Array.from({ length: 500 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const payloads = encodeBusEvent({ type: 'sessions.ended', sessionIds });
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(decode(payloads).flatMap((e) => (e.type === 'sessions.ended' ? e.sessionIds : []))).toEqual(sessionIds);
  });
});
