import type { Message, SenderType } from '@bellhop/protocol';

/** The columns every message query selects, in the shape `toMessage` reads. */
export const MESSAGE_COLUMNS = 'm.id, m.conversation_id, m.seq, m.client_msg_id, m.sender_type, m.sender_id, m.sender_name, m.body, m.created_at';

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  client_msg_id: string;
  sender_type: SenderType;
  sender_id: string | null;
  sender_name: string;
  body: string;
  created_at: Date;
}

export function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: r.seq,
    clientMsgId: r.client_msg_id,
    sender: { type: r.sender_type, id: r.sender_id ?? '', name: r.sender_name },
    body: r.body,
    createdAt: r.created_at.toISOString(),
  };
}
