import type { Message, SenderType } from '@bellhop/protocol';

/**
 * A timestamptz column as the protocol writes times (`Date.prototype.toISOString`: UTC, milliseconds
 * truncated), formatted by the database: a page of messages then needs no date parsing here.
 */
export function isoTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The columns every message query selects, in the shape `toMessage` reads. */
export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.seq, m.client_msg_id, m.sender_type, m.sender_id, m.sender_name, m.body, ${isoTime('m.created_at')} AS created_at`;

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  client_msg_id: string;
  sender_type: SenderType;
  sender_id: string | null;
  sender_name: string;
  body: string;
  /** ISO 8601, from `isoTime`. */
  created_at: string;
}

export function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: r.seq,
    clientMsgId: r.client_msg_id,
    sender: { type: r.sender_type, id: r.sender_id ?? '', name: r.sender_name },
    body: r.body,
    createdAt: r.created_at,
  };
}
