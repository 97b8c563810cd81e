import type { Message } from '@bellhop/protocol';
import { useEffect, useId, useMemo, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { describeError } from '../../app/errors';
import { ChatPanel } from '../../features/chat/ChatPanel';
import { formatDate } from '../../features/chat/format';
import { useConversation, type Participant } from '../../features/chat/useConversation';
import { api, ApiError } from '../../lib/api';
import { BusyButton } from '../../ui/BusyButton';
import { ErrorNote } from '../../ui/ErrorNote';
import { guestFullName } from './guestName';
import { useStaff } from './StaffContext';

/** One conversation in the console: header with actions, history, composer. */
export function ConversationPane({ conversationId }: { conversationId: string }) {
  const { t, i18n } = useTranslation();
  const { client, inbox, directory, session } = useStaff();
  useSyncExternalStore(inbox.subscribe, inbox.getSnapshot);
  const colleagues = useSyncExternalStore(directory.subscribe, directory.getSnapshot);
  // The directory never loaded: the assignee list holds only me, so say why and offer to retry.
  const directoryFailed = useSyncExternalStore(directory.subscribe, () => directory.error !== null && directory.getSnapshot() === null);
  const summary = inbox.get(conversationId);
  const self = useMemo<Participant>(() => ({ type: 'staff', id: session.user.id }), [session.user.id]);
  const view = useConversation(client, conversationId, self, summary?.guestReadSeq);
  const [lookupError, setLookupError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const assignId = useId();

  useEffect(() => {
    inbox.activeId = conversationId;
    return () => {
      if (inbox.activeId === conversationId) inbox.activeId = null;
    };
  }, [inbox, conversationId]);

  // Not in the loaded inbox pages (a deep link, a search hit, an old conversation): ask for it alone.
  useEffect(() => {
    if (inbox.get(conversationId)) return;
    let cancelled = false;
    setLookupError(null);
    inbox.fetchOne(conversationId).catch((error: unknown) => {
      if (!cancelled) setLookupError(error);
    });
    return () => {
      cancelled = true;
    };
  }, [inbox, conversationId]);

  // Colleagues come and go: a conversation opened a while after the last look asks again.
  useEffect(() => {
    void directory.refresh();
  }, [directory, conversationId]);

  const assigneeId = summary?.assigneeId ?? null;
  useEffect(() => {
    if (assigneeId) directory.lookUp(assigneeId);
  }, [directory, assigneeId]);

  const update = async (body: { status?: 'open' | 'resolved'; assigneeId?: string | null }) => {
    setBusy(true);
    setActionError(null);
    try {
      inbox.upsert([await api.updateConversation(conversationId, body)]);
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(false);
    }
  };

  const download = async (format: 'txt' | 'json') => {
    if (downloading) return;
    setDownloading(true);
    setActionError(null);
    try {
      const { blob, filename } = await api.transcript(conversationId, format);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setActionError(error);
    } finally {
      setDownloading(false);
    }
  };

  const senderLabel = (m: Message) => m.sender.name;
  const checkedOut = summary?.stay.status === 'checked_out';

  if (!summary && lookupError) {
    // A missing id, one that is not a conversation id at all, or a failed request.
    const gone = lookupError instanceof ApiError && (lookupError.status === 404 || lookupError.status === 400);
    return (
      <div className="pane">
        <header className="pane__head">
          <Link to="/staff" className="pane__back">
            ← {t('staff.nav.inbox')}
          </Link>
          <div className="pane__who">
            <h2 className="pane__title">{t('staff.conversation.label')}</h2>
          </div>
        </header>
        <div className="chat__state">
          <ErrorNote
            action={
              gone ? undefined : (
                <button type="button" className="btn" onClick={() => void inbox.fetchOne(conversationId).then(() => setLookupError(null), setLookupError)}>
                  {t('common.retry')}
                </button>
              )
            }
          >
            {gone ? t('staff.conversation.notFound') : describeError(lookupError, t)}
          </ErrorNote>
        </div>
      </div>
    );
  }

  // Every active colleague by name, me first; until the directory loads (or if it cannot), me alone.
  const me = { id: session.user.id, name: t('staff.conversation.me', { name: colleagues?.find((c) => c.id === session.user.id)?.displayName ?? session.user.displayName }) };
  const assigneeOptions: Array<{ id: string; name: string }> = [me];
  for (const c of colleagues ?? []) if (c.id !== me.id) assigneeOptions.push({ id: c.id, name: c.displayName });
  if (assigneeId && !assigneeOptions.some((o) => o.id === assigneeId)) {
    // Not in the directory: disabled since, or the directory is not loaded yet.
    assigneeOptions.push({ id: assigneeId, name: t('staff.conversation.colleague') });
  }

  return (
    <div className="pane">
      <header className="pane__head">
        <Link to="/staff" className="pane__back">
          ← {t('staff.nav.inbox')}
        </Link>
        <div className="pane__who">
          <h2 className="pane__title">
            {summary ? (
              <>
                {guestFullName(summary.stay)} <span className="pane__room">· {t('staff.conversation.room', { room: summary.stay.roomNumber })}</span>
              </>
            ) : (
              t('staff.conversation.label')
            )}
          </h2>
          {summary ? (
            <p className="pane__sub">
              {checkedOut ? t('staff.status.checkedOut') : t('staff.conversation.checkOut', { date: formatDate(summary.stay.checkOut, i18n.language) })} ·{' '}
              <span className={`chip chip--${summary.status}`}>{t(`staff.status.${summary.status}`)}</span>
            </p>
          ) : null}
        </div>
        {summary ? (
          <div className="pane__actions">
            <label htmlFor={assignId} className="sr-only">
              {t('staff.conversation.assign')}
            </label>
            <select
              id={assignId}
              className="input input--small"
              value={summary.assigneeId ?? ''}
              disabled={busy}
              onChange={(e) => void update({ assigneeId: e.target.value || null })}
            >
              <option value="">{t('staff.conversation.unassigned')}</option>
              {assigneeOptions.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
            {directoryFailed ? (
              <button type="button" className="btn btn--small btn--ghost" onClick={() => void directory.load()}>
                {t('staff.conversation.directoryFailed')}
              </button>
            ) : null}
            {/* One button for both, never disabled while busy (only marked so): a button that is
                replaced or disabled takes the keyboard focus with it. No reopening once the guest
                has checked out: nobody could answer there. */}
            {summary.status === 'open' || !checkedOut ? (
              <BusyButton className="btn btn--small" busy={busy} onClick={() => void update({ status: summary.status === 'open' ? 'resolved' : 'open' })}>
                {summary.status === 'open' ? t('staff.conversation.resolve') : t('staff.conversation.reopen')}
              </BusyButton>
            ) : null}
            <details className="menu">
              <summary className="btn btn--small btn--ghost" aria-busy={downloading}>
                {downloading ? t('staff.conversation.transcriptPreparing') : t('staff.conversation.transcript')}
              </summary>
              <div className="menu__list">
                <button type="button" className="btn btn--small btn--ghost" onClick={() => void download('txt')} disabled={downloading}>
                  {t('staff.conversation.transcriptTxt')}
                </button>
                <button type="button" className="btn btn--small btn--ghost" onClick={() => void download('json')} disabled={downloading}>
                  {t('staff.conversation.transcriptJson')}
                </button>
              </div>
            </details>
          </div>
        ) : null}
      </header>
      {actionError !== null ? <ErrorNote>{describeError(actionError, t)}</ErrorNote> : null}
      <ChatPanel
        client={client}
        conversationId={conversationId}
        view={{
          ...view,
          send: (text) => {
            view.send(text);
            inbox.markRead(conversationId);
          },
        }}
        self={self}
        senderLabel={senderLabel}
        composerLabel={t('staff.conversation.composer', { name: summary ? guestFullName(summary.stay) : '' })}
        onRead={() => inbox.markRead(conversationId)}
        readOnlyReason={checkedOut ? t('staff.conversation.readOnly') : null}
      />
    </div>
  );
}
