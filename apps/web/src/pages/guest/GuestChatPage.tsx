import type { Message } from '@bellhop/protocol';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { describeError } from '../../app/errors';
import { ChatPanel } from '../../features/chat/ChatPanel';
import { useConversation, type Participant } from '../../features/chat/useConversation';
import { clearSession, logout, type GuestSession } from '../../lib/api';
import { createRealtimeClient, useConnectionState, type RealtimeClient } from '../../lib/realtime';
import { ConnectionStatus, ConnectionTrouble, GuestPresence } from '../../ui/ConnectionStatus';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNote } from '../../ui/ErrorNote';
import { Loading } from '../../ui/Loading';
import { GuestLayout } from './GuestLayout';
import { useGuestSession } from './useGuestSession';

/** `/chat`: the guest's conversation with reception. */
export function GuestChatPage() {
  const { t } = useTranslation();
  const state = useGuestSession();

  useEffect(() => {
    document.title = `${t('guest.chat.title')} · ${t('brand')}`;
  }, [t]);

  if (state.status === 'loading') {
    return (
      <GuestLayout>
        <main className="guest__main guest__main--center">
          <Loading label={t('common.loading')} />
        </main>
      </GuestLayout>
    );
  }
  if (state.status === 'error') {
    return (
      <GuestLayout>
        <main className="guest__main guest__main--center">
          <ErrorNote
            action={
              <button type="button" className="btn" onClick={state.retry}>
                {t('common.retry')}
              </button>
            }
          >
            {describeError(state.error, t)}
          </ErrorNote>
        </main>
      </GuestLayout>
    );
  }
  return <GuestChat session={state.session} />;
}

function GuestChat({ session }: { session: GuestSession }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [client] = useState(() => createRealtimeClient(session.guest.id));
  const connection = useConnectionState(client);
  const [staffOnline, setStaffOnline] = useState<number | null>(null);

  useEffect(() => {
    const off = client.on('presence', ({ staffOnline: n }) => setStaffOnline(n));
    client.start();
    return () => {
      off();
      client.stop();
    };
  }, [client]);

  useEffect(() => {
    if (connection === 'ended') clearSession();
  }, [connection]);

  const leave = async () => {
    client.stop();
    await logout().catch(() => undefined);
    navigate('/', { replace: true });
  };

  if (connection === 'ended') {
    return (
      <GuestLayout>
        <main className="guest__main guest__main--center">
          <section className="card entry ended" aria-labelledby="ended-title">
            <h1 id="ended-title" className="entry__title" tabIndex={-1} ref={focusOnMount}>
              {t('guest.ended.title')}
            </h1>
            <p>{t('guest.ended.body')}</p>
            <Link className="btn btn--primary btn--block btn--large" to="/">
              {t('guest.ended.again')}
            </Link>
          </section>
        </main>
      </GuestLayout>
    );
  }

  return (
    <GuestLayout
      fill
      actions={
        <button type="button" className="btn btn--small btn--ghost" onClick={leave}>
          {t('guest.chat.leave')}
        </button>
      }
    >
      <main className="guest__chat">
        <div className="chat-head">
          <div>
            {/* Focused on arrival (from a sign-in form or a link): the new screen is announced, and
                the keyboard starts here rather than nowhere. */}
            <h1 className="chat-head__title" tabIndex={-1} ref={focusOnMount}>
              {t('guest.chat.title')}
            </h1>
            <p className="chat-head__sub">
              {t('guest.chat.room', { room: session.guest.roomNumber })} · {session.guest.name}
            </p>
          </div>
          <div className="chat-head__status">
            <GuestPresence staffOnline={staffOnline} state={connection} />
            <ConnectionStatus state={connection} compact />
          </div>
        </div>
        <ConnectionTrouble state={connection} audience="guest" />
        <GuestConversation client={client} session={session} />
      </main>
    </GuestLayout>
  );
}

/** Moves focus to a heading once, so screen readers announce the new screen. */
function focusOnMount(el: HTMLElement | null): void {
  if (el && !el.dataset.focused) {
    el.dataset.focused = '1';
    el.focus();
  }
}

function GuestConversation({ client, session }: { client: RealtimeClient; session: GuestSession }) {
  const { t } = useTranslation();
  const self = useMemo<Participant>(() => ({ type: 'guest', id: session.guest.id }), [session.guest.id]);
  const view = useConversation(client, session.conversationId, self);
  const label = (m: Message) => (m.sender.type === 'staff' ? t('guest.chat.staffName', { name: m.sender.name }) : m.sender.name);
  return (
    <ChatPanel
      client={client}
      conversationId={session.conversationId}
      view={view}
      self={self}
      senderLabel={label}
      composerLabel={t('guest.chat.composer')}
      empty={
        <EmptyState title={t('guest.chat.emptyTitle')} icon="bell">
          <p>{t('guest.chat.emptyBody')}</p>
        </EmptyState>
      }
    />
  );
}
