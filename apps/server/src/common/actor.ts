import type { StaffRole } from '@bellhop/protocol';

/** Who is making a request or holds a socket, as read from the database for this request. */
export type Actor = StaffActor | GuestActor;

export interface StaffActor {
  type: 'staff';
  /** Staff member id. */
  id: string;
  sessionId: string;
  role: StaffRole;
  /** displayName */
  name: string;
}

export interface GuestActor {
  type: 'guest';
  /** The stay's id. */
  id: string;
  sessionId: string;
  /** guestName */
  name: string;
  roomNumber: string;
  conversationId: string;
}
