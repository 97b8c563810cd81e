import { accessToken, refreshSession } from '../api/session';
import { RealtimeClient } from './RealtimeClient';

/** The app's socket client for the signed-in identity (its outbox is kept per identity). */
export function createRealtimeClient(identityId: string): RealtimeClient {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new RealtimeClient({
    url: `${scheme}//${window.location.host}/ws`,
    getToken: accessToken,
    refresh: async () => ((await refreshSession()) ? 'ok' : 'ended'),
    outboxKey: `bellhop.outbox.${identityId}`,
  });
}
