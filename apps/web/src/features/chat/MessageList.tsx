import type { Message } from '@bellhop/protocol';
import { memo, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxEntry } from '../../lib/realtime';
import { DeliveryTick } from './DeliveryTick';
import { dayKey, formatDateTime, formatDay, formatTime } from './format';
import type { DeliveryState } from './messages';
import type { Participant } from './useConversation';

export interface MessageListProps {
  messages: Message[];
  pending: OutboxEntry[];
  self: Participant;
  otherReadSeq: number;
  hasMore: boolean;
  loadingOlder: boolean;
  /** The last request for older messages failed: say so, and ask again only when told to. */
  olderFailed?: boolean;
  onLoadOlder(): void;
  onRetry(clientMsgId: string): void;
  onDiscard(clientMsgId: string): void;
  /** Called when the newest message is on screen (to move the read cursor). */
  onSeenLatest?(seq: number): void;
  /** How a sender is named in this view. */
  senderLabel(message: Message): string;
  empty?: ReactNode;
}

/** Why a message was not sent, as the text key under `chat.failed`. */
function failureReason(code: string | undefined): 'forbidden' | 'not_found' | 'rate_limited' | 'unavailable' | 'generic' {
  return code === 'forbidden' || code === 'not_found' || code === 'rate_limited' || code === 'unavailable' ? code : 'generic';
}

const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 240;

interface RowProps {
  mine: boolean;
  sender: string;
  body: string;
  createdAt: string;
  state: DeliveryState | null;
  lang: string;
  youLabel: string;
  actions?: ReactNode;
}

/** One message. Bodies are plain text: React escapes them and CSS keeps the line breaks. */
const MessageRow = memo(function MessageRow({ mine, sender, body, createdAt, state, lang, youLabel, actions }: RowProps) {
  return (
    <li className={`msg ${mine ? 'msg--mine' : 'msg--theirs'}${state === 'failed' ? ' msg--failed' : ''}`}>
      <div className="msg__bubble">
        <p className={mine ? 'sr-only' : 'msg__sender'}>{mine ? youLabel : sender}</p>
        <p className="msg__body">{body}</p>
        <p className="msg__meta">
          <time dateTime={createdAt} title={formatDateTime(createdAt, lang)}>
            {formatTime(createdAt, lang)}
          </time>
          {state ? <DeliveryTick state={state} /> : null}
        </p>
      </div>
      {actions}
    </li>
  );
});

export function MessageList(props: MessageListProps) {
  const { messages, pending, self, otherReadSeq, hasMore, loadingOlder, onLoadOlder, onSeenLatest } = props;
  // Older pages load by themselves (a short list, scrolling near the top) unless the last try failed.
  const autoLoad = hasMore && !loadingOlder && !props.olderFailed;
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prev = useRef<{ firstSeq: number | null; lastKey: string | null; height: number }>({ firstSeq: null, lastKey: null, height: 0 });
  const [showJump, setShowJump] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  // A message that fails is said in the live region below, which is always there (a region
  // inserted together with its text is not announced by most screen readers).
  const announcedFailures = useRef(new Set<string>());
  useEffect(() => {
    for (const p of pending) {
      if (p.status !== 'failed' || announcedFailures.current.has(p.clientMsgId)) continue;
      announcedFailures.current.add(p.clientMsgId);
      setAnnouncement(t(`chat.failed.${failureReason(p.error)}`));
    }
  }, [pending, t]);

  const last = messages[messages.length - 1];
  const lastPending = pending[pending.length - 1];
  const lastKey = lastPending ? `p:${lastPending.clientMsgId}` : last ? `m:${last.seq}` : null;

  const seeLatest = () => {
    if (last && onSeenLatest && document.visibilityState !== 'hidden') onSeenLatest(last.seq);
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const before = prev.current;
    const firstSeq = messages[0]?.seq ?? null;
    if (before.firstSeq !== null && firstSeq !== null && firstSeq < before.firstSeq) {
      // Older messages were put above: keep what the reader was looking at in place.
      el.scrollTop += el.scrollHeight - before.height;
    }
    if (lastKey !== before.lastKey) {
      const mineLast = lastPending !== undefined || (last !== undefined && last.sender.type === self.type);
      if (atBottom.current || mineLast || before.lastKey === null) {
        el.scrollTop = el.scrollHeight;
        atBottom.current = true;
        setShowJump(false);
      } else {
        setShowJump(true);
      }
      if (before.lastKey !== null && last && !lastPending && last.sender.type !== self.type) {
        setAnnouncement(t('chat.newMessageFrom', { name: props.senderLabel(last), body: last.body.slice(0, 200) }));
      }
    }
    prev.current = { firstSeq, lastKey, height: el.scrollHeight };
    if (atBottom.current) seeLatest();
    if (autoLoad && el.scrollHeight <= el.clientHeight + 1) onLoadOlder();
  });

  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible' && atBottom.current) seeLatest();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  });

  // Stay pinned to the newest message while rows settle (content-visibility, fonts) or the
  // viewport shrinks (a phone keyboard opening).
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    if (list.current) observer.observe(list.current);
    return () => observer.disconnect();
  }, [messages.length > 0 || pending.length > 0]);

  const lastTop = useRef(0);
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const top = el.scrollTop;
    if (el.scrollHeight - top - el.clientHeight < NEAR_BOTTOM_PX) {
      atBottom.current = true;
      setShowJump(false);
      seeLatest();
    } else if (top < lastTop.current - 2) {
      // Only the reader moving up unpins; content growing below does not.
      atBottom.current = false;
    }
    lastTop.current = top;
    if (top < NEAR_TOP_PX && autoLoad) onLoadOlder();
  };

  const jumpToLatest = () => {
    const el = scroller.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setShowJump(false);
    seeLatest();
    el.focus();
  };

  const items: ReactNode[] = [];
  let lastDay: string | null = null;
  const youLabel = t('chat.you');
  const pushDay = (iso: string) => {
    const key = dayKey(iso);
    if (key !== lastDay) {
      lastDay = key;
      items.push(
        <li key={`d:${key}`} className="day">
          <span>{formatDay(iso, lang)}</span>
        </li>,
      );
    }
  };
  for (const m of messages) {
    pushDay(m.createdAt);
    const mine = m.sender.type === self.type;
    items.push(
      <MessageRow
        key={`m:${m.seq}`}
        mine={mine}
        sender={props.senderLabel(m)}
        body={m.body}
        createdAt={m.createdAt}
        state={mine ? (m.seq <= otherReadSeq ? 'read' : 'sent') : null}
        lang={lang}
        youLabel={youLabel}
      />,
    );
  }
  for (const p of pending) {
    pushDay(p.createdAt);
    const failed = p.status === 'failed';
    items.push(
      <MessageRow
        key={`m:${p.clientMsgId}`}
        mine
        sender=""
        body={p.body}
        createdAt={p.createdAt}
        state={failed ? 'failed' : 'sending'}
        lang={lang}
        youLabel={youLabel}
        actions={
          failed ? (
            <div className="msg__actions">
              <span className="msg__error">{t(`chat.failed.${failureReason(p.error)}`)}</span>
              <button type="button" className="btn btn--small" onClick={() => props.onRetry(p.clientMsgId)}>
                {t('chat.retry')}
              </button>
              <button type="button" className="btn btn--small btn--ghost" onClick={() => props.onDiscard(p.clientMsgId)}>
                {t('chat.discard')}
              </button>
            </div>
          ) : undefined
        }
      />,
    );
  }

  return (
    <div className="messages">
      <div className="messages__scroller" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label={t('chat.historyLabel')} role="region">
        {hasMore ? (
          <div className="messages__older">
            {props.olderFailed && !loadingOlder ? (
              <p className="messages__older-error" role="alert">
                {t('chat.olderFailed')}
              </p>
            ) : null}
            <button type="button" className="btn btn--small btn--ghost" onClick={onLoadOlder} disabled={loadingOlder}>
              {loadingOlder ? t('common.loading') : props.olderFailed ? t('common.retry') : t('chat.loadOlder')}
            </button>
          </div>
        ) : messages.length > 0 ? (
          <p className="messages__start">{t('chat.start')}</p>
        ) : null}
        {items.length === 0 ? props.empty : <ol className="messages__list" ref={list}>
            {items}
          </ol>}
      </div>
      {showJump ? (
        <button type="button" className="btn btn--jump" onClick={jumpToLatest}>
          {t('chat.jumpToLatest')} ↓
        </button>
      ) : null}
      <div className="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </div>
  );
}
