import { encodeBusEvent, type BusEvent } from './event-bus.js';

const decode = (payloads: string[]) => payloads.map((p) => JSON.parse(p) as BusEvent);

describe('encodeBusEvent', () => {
  it('sends a small event as one payload', () => {
    const event = { type: 'conversation.changed' as const, conversationId: '00000000-0000-4000-8000-000000000001' };
    expect(decode(encodeBusEvent(event))).toEqual([event]);
  });

  it('splits a long list of ended sessions', () => {
    const sessionIds = Array.from({ length: 500 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const payloads = encodeBusEvent({ type: 'sessions.ended', sessionIds });
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(decode(payloads).flatMap((e) => (e.type === 'sessions.ended' ? e.sessionIds : []))).toEqual(sessionIds);
  });
});
