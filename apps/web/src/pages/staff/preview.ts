import type { Message } from '@bellhop/protocol';

/** A conversation's last message in the inbox: a staff reply says who wrote it ("You" for one's own). */
export function previewOf(last: Message, selfId: string, you: string): string {
  if (last.sender.type === 'guest') return last.body;
  return `${last.sender.id === selfId ? you : last.sender.name}: ${last.body}`;
}
