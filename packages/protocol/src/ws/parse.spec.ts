import { parseClientFrame, parseClientFrameValue, parseServerFrame, encodeFrame } from './parse.js';

const conv = '6f1d4a52-4a1b-4c5e-9f0a-2b3c4d5e6f70';
const cmid = '0b9e0d7e-8c2a-4f3e-b1a2-c3d4e5f60718';

function send(data: unknown) {
  return JSON.stringify({ event: 'message.send', data });
}

describe('parseClientFrame', () => {
  it('accepts a valid message.send and trims the body', () => {
    const r = parseClientFrame(send({ conversationId: conv, clientMsgId: cmid, body: '  hello\n' }));
    expect(r).toEqual({ ok: true, frame: { event: 'message.send', data: { conversationId: conv, clientMsgId: cmid, body: 'hello' } } });
  });

  it.each([
    ['not JSON', '{nope', undefined],
    ['a JSON array', '[1,2]', undefined],
    ['a JSON string', '"hi"', undefined],
    ['null', 'null', undefined],
    ['no event', JSON.stringify({ data: {} }), undefined],
    ['extra envelope field', JSON.stringify({ event: 'ping', data: { t: 1 }, x: 1 }), 'ping'],
    ['missing data', JSON.stringify({ event: 'ping' }), 'ping'],
    ['extra data field', JSON.stringify({ event: 'ping', data: { t: 1, y: 2 } }), 'ping'],
  ])('refuses %s as bad_request', (_name, text, ref) => {
    const r = parseClientFrame(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('bad_request');
      expect(r.error.ref).toBe(ref);
    }
  });

  it('refuses binary frames', () => {
    const r = parseClientFrame('{"event":"ping","data":{"t":1}}', true);
    expect(r.ok === false && r.error.code).toBe('bad_request');
  });

  it.each(['nope', 'message.new', 'session.ready', 'pong'])('answers unknown_event for %s with the event as ref', (event) => {
    const r = parseClientFrame(JSON.stringify({ event, data: {} }));
    expect(r.ok === false && r.error).toMatchObject({ code: 'unknown_event', ref: event });
  });

  it('refs an unknown event by its clientMsgId when that is valid, else by its whole name', () => {
    const r = parseClientFrame(JSON.stringify({ event: 'message.sned', data: { conversationId: conv, clientMsgId: cmid, body: 'hi' } }));
    expect(r.ok === false && r.error).toMatchObject({ code: 'unknown_event', ref: cmid });
    const long = `x${'y'.repeat(100)}`;
    const r2 = parseClientFrame(JSON.stringify({ event: long, data: { clientMsgId: 'not-a-uuid' } }));
    expect(r2.ok === false && r2.error).toMatchObject({ code: 'unknown_event', ref: long });
  });

  it('refs a bad message.send by its clientMsgId when that is valid', () => {
    const r = parseClientFrame(send({ conversationId: conv, clientMsgId: cmid, body: '' }));
    expect(r.ok === false && r.error).toMatchObject({ code: 'bad_request', ref: cmid });
    expect(r.ok === false && r.error.message).toMatch(/data\.body/);
  });

  it('refs by event name when the clientMsgId is invalid', () => {
    const r = parseClientFrame(send({ conversationId: conv, clientMsgId: 'x', body: 'hi' }));
    expect(r.ok === false && r.error).toMatchObject({ code: 'bad_request', ref: 'message.send' });
  });

  describe('message bodies', () => {
    const body = (b: string) => parseClientFrame(send({ conversationId: conv, clientMsgId: cmid, body: b }));
    it('accepts exactly 4000 code points, counting astral characters once', () => {
      expect(body('😀'.repeat(4000)).ok).toBe(true);
      expect(body('a'.repeat(4000)).ok).toBe(true);
    });
    it('refuses 4001 code points', () => {
      expect(body('a'.repeat(4001)).ok).toBe(false);
      expect(body('😀'.repeat(4001)).ok).toBe(false);
    });
    it('measures after trimming', () => {
      expect(body(`  ${'a'.repeat(4000)}  `).ok).toBe(true);
    });
    it.each(['', '   ', '\n\t '])('refuses an empty or blank body %j', (b) => {
      expect(body(b).ok).toBe(false);
    });
    it.each(['a\u0000b', 'a\rb', 'ab\u001b', 'a\u007f', '\u0085x', 'x\u009f', 'hello\r'])('refuses control character in %j, even at an end', (b) => {
      expect(body(b).ok).toBe(false);
    });
    it('keeps tabs and newlines inside', () => {
      const r = body('a\tb\nc');
      expect(r.ok && r.frame.event === 'message.send' && r.frame.data.body).toBe('a\tb\nc');
    });
  });

  it('bounds sync limit and afterSeq', () => {
    const sync = (d: unknown) => parseClientFrame(JSON.stringify({ event: 'conversation.sync', data: d }));
    expect(sync({ conversationId: conv, afterSeq: 0 }).ok).toBe(true);
    expect(sync({ conversationId: conv, afterSeq: -1 }).ok).toBe(false);
    expect(sync({ conversationId: conv, afterSeq: 0, limit: 201 }).ok).toBe(false);
    expect(sync({ conversationId: conv, afterSeq: 1.5 }).ok).toBe(false);
    expect(sync({ conversationId: conv, afterSeq: 2_147_483_647 }).ok).toBe(true);
    const big = sync({ conversationId: conv, afterSeq: 2_147_483_648 });
    expect(big.ok === false && big.error).toMatchObject({ code: 'bad_request', ref: 'conversation.sync' });
    expect(big.ok === false && big.error.message).toMatch(/data\.afterSeq/);
    const read = (seq: number) => parseClientFrame(JSON.stringify({ event: 'conversation.read', data: { conversationId: conv, seq } }));
    expect(read(2_147_483_647).ok).toBe(true);
    expect(read(3e9).ok).toBe(false);
  });
});

describe('parseServerFrame', () => {
  it('round-trips an encoded frame', () => {
    const text = encodeFrame({ event: 'pong', data: { t: 5, serverTime: '2026-11-25T18:05:23.000Z' } });
    expect(parseServerFrame(text)).toEqual({ ok: true, frame: { event: 'pong', data: { t: 5, serverTime: '2026-11-25T18:05:23.000Z' } } });
  });
  it('refuses a malformed message.new', () => {
    expect(parseServerFrame(JSON.stringify({ event: 'message.new', data: { message: { id: 1 } } })).ok).toBe(false);
  });
  it('reads session.ready with or without the staff read position', () => {
    const ready = (entry: object) =>
      parseServerFrame(
        JSON.stringify({
          event: 'session.ready',
          data: { user: { type: 'guest', id: conv, name: 'Ada' }, serverTime: '2026-11-25T18:05:23.000Z', heartbeatMs: 25000, conversations: [entry] },
        }),
      );
    expect(ready({ id: conv, lastSeq: 4, staffReadSeq: 3 })).toMatchObject({ ok: true, frame: { data: { conversations: [{ id: conv, lastSeq: 4, staffReadSeq: 3 }] } } });
    expect(ready({ id: conv, lastSeq: 4 })).toMatchObject({ ok: true, frame: { data: { conversations: [{ id: conv, lastSeq: 4 }] } } });
    expect(ready({ id: conv, lastSeq: 4, staffReadSeq: -1 }).ok).toBe(false);
  });
});

describe('parseClientFrameValue', () => {
  it('parses an already-decoded frame like parseClientFrame parses its text', () => {
    expect(parseClientFrameValue({ event: 'ping', data: { t: 1 } })).toEqual(parseClientFrame('{"event":"ping","data":{"t":1}}'));
    expect(parseClientFrameValue([1])).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});
