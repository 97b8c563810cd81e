import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { describeError } from '../../app/errors';
import type { Phrase } from '../../app/phrase';
import { api, getSession, logout, restoreSession, type StaffSession } from '../../lib/api';
import { createRealtimeClient, useConnectionState } from '../../lib/realtime';
import { ConnectionStatus, ConnectionTrouble } from '../../ui/ConnectionStatus';
import { ErrorNote } from '../../ui/ErrorNote';
import { Icon } from '../../ui/Icon';
import { LanguageSwitcher } from '../../ui/LanguageSwitcher';
import { Loading } from '../../ui/Loading';
import { notificationsSupported, onSoundChangedElsewhere, playChime, setSoundOn, showNotification, soundOn, unlockSound } from './alerts';
import { InboxStore } from './inboxStore';
import { StaffContext } from './StaffContext';
import { StaffDirectoryStore } from './staffDirectory';
import { StaffLoginPage } from './StaffLoginPage';

type ShellState = { status: 'loading' } | { status: 'signedOut'; notice?: Phrase } | { status: 'error'; error: unknown } | { status: 'ready'; session: StaffSession };

/** Every /staff page: signs the staff member in, then holds the socket and the live inbox. */
export function StaffShell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [state, setState] = useState<ShellState>(() => {
    const s = getSession();
    return s?.kind === 'staff' ? { status: 'ready', session: s } : { status: 'loading' };
  });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (state.status !== 'loading') return;
    let cancelled = false;
    restoreSession().then(
      (session) => {
        if (cancelled) return;
        if (session?.kind === 'guest') navigate('/chat', { replace: true });
        else setState(session ? { status: 'ready', session } : { status: 'signedOut' });
      },
      (error: unknown) => !cancelled && setState({ status: 'error', error }),
    );
    return () => {
      cancelled = true;
    };
  }, [state.status, attempt, navigate]);

  if (state.status === 'loading') {
    return (
      <div className="login__main">
        <Loading label={t('common.loading')} />
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="login__main">
        <ErrorNote
          action={
            <button
              type="button"
              className="btn"
              onClick={() => {
                setState({ status: 'loading' });
                setAttempt((a) => a + 1);
              }}
            >
              {t('common.retry')}
            </button>
          }
        >
          {describeError(state.error, t)}
        </ErrorNote>
      </div>
    );
  }
  if (state.status === 'signedOut') {
    return (
      <StaffLoginPage
        notice={state.notice}
        onSignedIn={(session) => {
          unlockSound();
          setState({ status: 'ready', session });
        }}
      />
    );
  }
  return (
    <Console
      key={state.session.user.id}
      session={state.session}
      onEnded={(notice) => setState({ status: 'signedOut', notice })}
    />
  );
}

function Console({ session, onEnded }: { session: StaffSession; onEnded(notice?: Phrase): void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [client] = useState(() => createRealtimeClient(session.user.id));
  const [inbox] = useState(() => new InboxStore(client));
  const [directory] = useState(() => new StaffDirectoryStore(api.staffDirectory));
  const connection = useConnectionState(client);
  const [pageTitle, setPageTitle] = useState('');
  const [permission, setPermission] = useState(() => (notificationsSupported() ? Notification.permission : 'denied'));
  const [sound, setSound] = useState(soundOn);
  useEffect(() => onSoundChangedElsewhere(setSound), []);
  useSyncExternalStore(inbox.subscribe, inbox.getSnapshot);
  const unread = inbox.totalUnread();

  useEffect(() => {
    const detach = inbox.attach();
    client.start();
    void inbox.load('open');
    void directory.load();
    const onGesture = () => unlockSound();
    window.addEventListener('pointerdown', onGesture);
    window.addEventListener('keydown', onGesture);
    return () => {
      detach();
      client.stop();
      window.removeEventListener('pointerdown', onGesture);
      window.removeEventListener('keydown', onGesture);
    };
  }, [client, inbox, directory]);

  // New guest messages: a chime always, a system notification when the tab is hidden or
  // another conversation is open.
  useEffect(
    () =>
      client.on('message', ({ message, source }) => {
        if (source !== 'new' || message.sender.type !== 'guest') return;
        playChime();
        if (document.visibilityState === 'hidden' || inbox.activeId !== message.conversationId) {
          const c = inbox.get(message.conversationId);
          const title = c ? t('staff.notify.title', { name: message.sender.name, room: c.stay.roomNumber }) : message.sender.name;
          showNotification(title, message.body.slice(0, 160), message.conversationId, () => navigate(`/staff?c=${message.conversationId}`));
        }
      }),
    [client, inbox, navigate, t],
  );

  useEffect(() => {
    if (connection === 'ended') onEnded((t) => t('staff.sessionEnded'));
  }, [connection, onEnded]);

  useEffect(() => {
    const base = `${pageTitle ? `${pageTitle} · ` : ''}${t('brand')}`;
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  }, [pageTitle, unread, t]);

  const signOut = async () => {
    client.stop();
    await logout().catch(() => undefined);
    onEnded();
  };

  const enableNotifications = async () => {
    unlockSound();
    if (!notificationsSupported()) return;
    setPermission(await Notification.requestPermission());
  };

  const toggleSound = () => {
    setSoundOn(!sound);
    setSound(!sound);
    // Turning it on plays it once: the click is the gesture the browser asks for.
    if (!sound) playChime();
  };

  const setTitle = useCallback((title: string) => setPageTitle(title), []);
  const value = useMemo(() => ({ session, client, inbox, directory, setPageTitle: setTitle }), [session, client, inbox, directory, setTitle]);
  const isAdmin = session.user.role === 'admin';

  return (
    <StaffContext.Provider value={value}>
      <div className="console">
        <a className="skip-link" href="#main">
          {t('common.skipToContent')}
        </a>
        <header className="console__bar">
          <span className="brand">
            <Icon name="bell" className="brand__mark" />
            <span className="brand__name">{t('brand')}</span>
          </span>
          <nav className="console__nav" aria-label={t('staff.nav.label')}>
            <NavLink to="/staff" end className="console__link">
              {t('staff.nav.inbox')}
              {unread > 0 ? (
                <span className="badge">
                  <span aria-hidden="true">{unread}</span>
                  <span className="sr-only">{t('staff.inbox.unreadCount', { count: unread })}</span>
                </span>
              ) : null}
            </NavLink>
            <NavLink to="/staff/stays" className="console__link">
              {t('staff.nav.stays')}
            </NavLink>
            {isAdmin ? (
              <NavLink to="/staff/admin" className="console__link">
                {t('staff.nav.admin')}
              </NavLink>
            ) : null}
          </nav>
          <div className="console__tools">
            <ConnectionStatus state={connection} />
            {permission === 'default' ? (
              <button type="button" className="btn btn--small" onClick={enableNotifications}>
                {t('staff.enableNotifications')}
              </button>
            ) : null}
            <button
              type="button"
              className="btn btn--small btn--ghost"
              aria-pressed={sound}
              aria-label={t('staff.sound.label')}
              title={t(sound ? 'staff.sound.onHint' : 'staff.sound.offHint')}
              onClick={toggleSound}
            >
              <Icon name={sound ? 'bell' : 'bellOff'} size={18} />
              <span className="console__sound-label">{t('staff.sound.label')}</span>
            </button>
            <LanguageSwitcher />
            <span className="console__user" title={session.user.username}>
              {session.user.displayName}
            </span>
            <button type="button" className="btn btn--small btn--ghost" onClick={signOut}>
              {t('staff.signOut')}
            </button>
          </div>
        </header>
        <ConnectionTrouble state={connection} audience="staff" />
        <main id="main" className="console__main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </StaffContext.Provider>
  );
}
