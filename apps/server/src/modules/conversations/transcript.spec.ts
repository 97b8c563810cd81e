import type { Message } from '@bellhop/protocol';
import { transcriptFileName, transcriptText } from './transcript.js';

const msg = (name: string, body: string, createdAt: string): Message => ({
  id: '00000000-0000-4000-8000-000000000001',
  conversationId: '00000000-0000-4000-8000-000000000002',
  seq: 1,
  clientMsgId: '00000000-0000-4000-8000-000000000003',
  sender: { type: 'guest', id: '00000000-0000-4000-8000-000000000004', name },
  body,
  createdAt,
});

describe('transcriptText', () => {
  it('writes one line per message with the UTC minute and the sender name', () => {
    expect(transcriptText([msg('Ana', 'Hello', '2026-11-25T18:05:23.000Z'), msg('Reception', 'Hi!', '2026-11-25T18:06:00.000Z')])).toBe(
      '[2026-11-25 18:05Z] Ana: Hello\n[2026-11-25 18:06Z] Reception: Hi!\n',
    );
  });

  it('indents the later lines of a multi-line body by two spaces', () => {
    expect(transcriptText([msg('Ana', 'one\ntwo\n\nthree', '2026-11-25T18:05:00.000Z')])).toBe('[2026-11-25 18:05Z] Ana: one\n  two\n  \n  three\n');
  });
});

describe('transcriptFileName', () => {
  it('keeps only safe characters', () => {
    expect(transcriptFileName('12 "A"', '12345678-aaaa', 'txt')).toBe('bellhop-room-12__A_-12345678.txt');
  });
});
