import { createContext, useContext, useEffect } from 'react';
import type { StaffSession } from '../../lib/api';
import type { RealtimeClient } from '../../lib/realtime';
import type { InboxStore } from './inboxStore';
import type { StaffDirectoryStore } from './staffDirectory';

export interface StaffContextValue {
  session: StaffSession;
  client: RealtimeClient;
  inbox: InboxStore;
  /** The active colleagues' names. */
  directory: StaffDirectoryStore;
  setPageTitle(title: string): void;
}

export const StaffContext = createContext<StaffContextValue | null>(null);

export function useStaff(): StaffContextValue {
  const value = useContext(StaffContext);
  if (!value) throw new Error('useStaff outside the staff console');
  return value;
}

/** Sets the page's name in the tab title (the shell adds the unread count). */
export function usePageTitle(title: string): void {
  const { setPageTitle } = useStaff();
  useEffect(() => setPageTitle(title), [setPageTitle, title]);
}
