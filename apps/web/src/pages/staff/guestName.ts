import type { ConversationSummary } from '@bellhop/protocol';

/** "guestName familyName", or the guest name alone from a server that does not send the family name. */
export function guestFullName(stay: ConversationSummary['stay']): string {
  return stay.familyName ? `${stay.guestName} ${stay.familyName}` : stay.guestName;
}
