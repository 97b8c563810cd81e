import type { Message } from '@bellhop/protocol';

/** `2026-11-25T18:05:23.000Z` → `2026-11-25 18:05Z` */
function minuteUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/** One line per message, `[2026-11-25 18:05Z] Name: body`; later lines of a body indented by two spaces. */
export function transcriptText(messages: Message[]): string {
  return messages
    .map((m) => `[${minuteUtc(m.createdAt)}] ${m.sender.name}: ${m.body.split('\n').join('\n  ')}\n`)
    .join('');
}

/** A download name without characters that need quoting in Content-Disposition. */
export function transcriptFileName(roomNumber: string, conversationId: string, format: 'txt' | 'json'): string {
  const room = roomNumber.replace(/[^A-Za-z0-9_-]/g, '_');
  return `bellhop-room-${room}-${conversationId.slice(0, 8)}.${format}`;
}
