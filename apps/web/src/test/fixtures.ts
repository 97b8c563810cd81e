import type { Message } from '@bellhop/protocol';

export const CONVERSATION_ID = '7d0c3b9e-8f4a-4c1e-9a51-0b6f2f1e6a10';
export const GUEST_ID = '1b7c0f5e-2a3d-4c8e-9f01-23456789abcd';
export const STAFF_ID = '9e8d7c6b-5a49-4838-8271-605f4e3d2c1b';

let n = 0;
export function message(seq: number, overrides: Partial<Message> = {}): Message {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    conversationId: CONVERSATION_ID,
    seq,
    clientMsgId: `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    sender: { type: 'guest', id: GUEST_ID, name: 'Ana' },
    body: `message ${seq}`,
    createdAt: new Date(Date.UTC(2026, 10, 25, 18, seq % 60)).toISOString(),
    ...overrides,
  };
}
