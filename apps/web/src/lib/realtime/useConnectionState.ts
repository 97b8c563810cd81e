import { useSyncExternalStore } from 'react';
import type { ConnectionState, RealtimeClient } from './RealtimeClient';

export function useConnectionState(client: RealtimeClient): ConnectionState {
  return useSyncExternalStore(
    (notify) => client.on('state', notify),
    () => client.state,
  );
}
