import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { getSession, restoreSession, type GuestSession } from '../../lib/api';

export type GuestSessionState = { status: 'loading' } | { status: 'ready'; session: GuestSession } | { status: 'error'; error: unknown };

/**
 * The guest's session: the one in memory, else the one the refresh cookie still holds.
 * Without one the guest goes to the entry page; a staff session goes to the console.
 */
export function useGuestSession(): GuestSessionState & { retry(): void } {
  const navigate = useNavigate();
  const [state, setState] = useState<GuestSessionState>(() => {
    const s = getSession();
    return s?.kind === 'guest' ? { status: 'ready', session: s } : { status: 'loading' };
  });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (state.status === 'ready') return;
    let cancelled = false;
    restoreSession().then(
      (session) => {
        if (cancelled) return;
        if (!session) navigate('/', { replace: true });
        else if (session.kind === 'staff') navigate('/staff', { replace: true });
        else setState({ status: 'ready', session });
      },
      (error: unknown) => {
        if (!cancelled) setState({ status: 'error', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  return { ...state, retry: () => setAttempt((a) => a + 1) };
}
