import type { ConversationSummary, SearchHit } from '@bellhop/protocol';
import { Limits } from '@bellhop/protocol';
import { useEffect, useId, useMemo, useState, useSyncExternalStore, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { describeError } from '../../app/errors';
import type { Phrase } from '../../app/phrase';
import { formatDateTime, formatTime, formatWhen } from '../../features/chat/format';
import { api } from '../../lib/api';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNote } from '../../ui/ErrorNote';
import { Loading } from '../../ui/Loading';
import { ConversationPane } from './ConversationPane';
import { guestFullName } from './guestName';
import { previewOf } from './preview';
import type { StatusFilter } from './inboxStore';
import { usePageTitle, useStaff } from './StaffContext';

type AssigneeFilter = 'all' | 'mine' | 'unassigned';

/** `/staff`: the inbox on the left, the open conversation (`?c=<id>`) on the right. */
export function InboxPage() {
  const { t, i18n } = useTranslation();
  const { inbox, directory, session } = useStaff();
  const [params, setParams] = useSearchParams();
  const selected = params.get('c');
  const [status, setStatus] = useState<StatusFilter>('open');
  const [assignee, setAssignee] = useState<AssigneeFilter>('all');
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<{ q: string; hits: SearchHit[]; next: string | null; loading: boolean; error: Phrase | null } | null>(null);
  const all = useSyncExternalStore(inbox.subscribe, inbox.getSnapshot);
  // Re-render the rows when the colleagues' names arrive.
  useSyncExternalStore(directory.subscribe, directory.getSnapshot);
  const statusId = useId();
  const assigneeId = useId();
  usePageTitle(t('staff.nav.inbox'));

  useEffect(() => {
    if (status !== 'open') void inbox.load(status, true);
  }, [inbox, status]);

  const visible = useMemo(
    () =>
      all.filter(
        (c) =>
          (status === 'all' || c.status === status) &&
          (assignee === 'all' || (assignee === 'mine' ? c.assigneeId === session.user.id : c.assigneeId === null)),
      ),
    [all, status, assignee, session.user.id],
  );

  useEffect(() => {
    for (const c of all) if (c.assigneeId) directory.lookUp(c.assigneeId);
  }, [all, directory]);

  const open = (id: string) => setParams({ c: id });

  const runSearch = async (event: FormEvent) => {
    event.preventDefault();
    const q = query.trim();
    if (q.length < Limits.searchQueryMin) {
      setSearch({ q, hits: [], next: null, loading: false, error: (t) => t('staff.search.tooShort', { min: Limits.searchQueryMin }) });
      return;
    }
    setSearch({ q, hits: [], next: null, loading: true, error: null });
    try {
      const page = await api.search(q);
      setSearch({ q, hits: page.items, next: page.nextCursor, loading: false, error: null });
    } catch (error) {
      setSearch({ q, hits: [], next: null, loading: false, error: (t) => describeError(error, t) });
    }
  };

  const moreResults = async () => {
    if (!search?.next) return;
    const current = search;
    setSearch({ ...current, loading: true });
    try {
      const page = await api.search(current.q, current.next);
      setSearch({ ...current, hits: [...current.hits, ...page.items], next: page.nextCursor, loading: false });
    } catch (error) {
      setSearch({ ...current, loading: false, error: (t) => describeError(error, t) });
    }
  };

  return (
    <div className={`inbox${selected ? ' inbox--has-selection' : ''}`}>
      <section className="inbox__list" aria-labelledby="inbox-title">
        <div className="inbox__head">
          <h1 id="inbox-title" className="inbox__title">
            {t('staff.inbox.title')}
          </h1>
          <form className="search" role="search" onSubmit={runSearch}>
            <label htmlFor="search-q" className="sr-only">
              {t('staff.search.label')}
            </label>
            <input
              id="search-q"
              className="input input--small"
              type="search"
              value={query}
              maxLength={Limits.searchQueryMax}
              placeholder={t('staff.search.placeholder')}
              onChange={(e) => {
                setQuery(e.target.value);
                if (!e.target.value) setSearch(null);
              }}
            />
            <button type="submit" className="btn btn--small">
              {t('staff.search.submit')}
            </button>
          </form>
          {search ? null : (
            <div className="filters">
              <div className="filters__item">
                <label htmlFor={statusId}>{t('staff.inbox.status')}</label>
                <select id={statusId} className="input input--small" value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
                  <option value="open">{t('staff.inbox.filter.open')}</option>
                  <option value="resolved">{t('staff.inbox.filter.resolved')}</option>
                  <option value="all">{t('staff.inbox.filter.all')}</option>
                </select>
              </div>
              <div className="filters__item">
                <label htmlFor={assigneeId}>{t('staff.inbox.assignee')}</label>
                <select id={assigneeId} className="input input--small" value={assignee} onChange={(e) => setAssignee(e.target.value as AssigneeFilter)}>
                  <option value="all">{t('staff.inbox.filter.anyone')}</option>
                  <option value="mine">{t('staff.inbox.filter.mine')}</option>
                  <option value="unassigned">{t('staff.inbox.filter.unassigned')}</option>
                </select>
              </div>
            </div>
          )}
        </div>
        {search ? (
          <SearchResults search={search} onOpen={open} onClose={() => setSearch(null)} onMore={moreResults} lang={i18n.language} />
        ) : (
          <>
            {inbox.error ? (
              <ErrorNote
                action={
                  <button type="button" className="btn btn--small" onClick={() => void inbox.load(status, true)}>
                    {t('common.retry')}
                  </button>
                }
              >
                {describeError(inbox.error, t)}
              </ErrorNote>
            ) : null}
            {visible.length === 0 ? (
              inbox.error && !inbox.loading ? null : inbox.loading || !inbox.loaded ? (
                <Loading label={t('common.loading')} />
              ) : (
                <EmptyState title={t(status === 'open' ? 'staff.inbox.emptyOpen' : 'staff.inbox.empty')} icon="check" />
              )
            ) : (
              <ul className="convs" aria-label={t('staff.inbox.listLabel')}>
                {visible.map((c) => (
                  <ConversationRow
                    key={c.id}
                    c={c}
                    selected={c.id === selected}
                    selfId={session.user.id}
                    assigneeName={c.assigneeId ? directory.get(c.assigneeId)?.displayName : undefined}
                    lang={i18n.language}
                  />
                ))}
              </ul>
            )}
            {inbox.hasMore(status) ? (
              <button type="button" className="btn btn--small btn--ghost inbox__more" onClick={() => void inbox.load(status, false, true)}>
                {t('staff.inbox.more')}
              </button>
            ) : null}
          </>
        )}
      </section>
      <section className="inbox__detail" aria-label={t('staff.conversation.label')}>
        {selected ? (
          <ConversationPane key={selected} conversationId={selected} />
        ) : (
          <EmptyState title={t('staff.inbox.pick')} icon="chat" />
        )}
      </section>
    </div>
  );
}

function ConversationRow(props: { c: ConversationSummary; selected: boolean; selfId: string; assigneeName: string | undefined; lang: string }) {
  const { c, selected, selfId, assigneeName, lang } = props;
  const { t } = useTranslation();
  const last = c.lastMessage;
  const preview = last ? previewOf(last, selfId, t('staff.inbox.you')) : t('staff.inbox.noMessages');
  return (
    <li>
      <Link
        to={`/staff?c=${c.id}`}
        className={`conv${selected ? ' is-selected' : ''}${c.unread > 0 ? ' conv--unread' : ''}`}
        aria-current={selected ? 'true' : undefined}
      >
        <span className="conv__room">{c.stay.roomNumber}</span>
        <span className="conv__main">
          <span className="conv__top">
            <span className="conv__name">
              {guestFullName(c.stay)} <span className="conv__where">· {t('staff.conversation.room', { room: c.stay.roomNumber })}</span>
            </span>
            <time className="conv__time" dateTime={last?.createdAt ?? c.updatedAt} title={formatDateTime(last?.createdAt ?? c.updatedAt, lang)}>
              {formatWhen(last?.createdAt ?? c.updatedAt, lang)}
            </time>
          </span>
          <span className="conv__preview">{preview}</span>
          <span className="conv__tags">
            {c.status === 'resolved' ? <span className="chip chip--resolved">{t('staff.status.resolved')}</span> : null}
            {c.stay.status === 'checked_out' ? <span className="chip">{t('staff.status.checkedOut')}</span> : null}
            {c.assigneeId ? (
              <span className="chip chip--assignee">
                {c.assigneeId === selfId ? t('staff.inbox.assignedToMe') : assigneeName ? t('staff.inbox.assignedTo', { name: assigneeName }) : t('staff.inbox.assigned')}
              </span>
            ) : null}
          </span>
        </span>
        {c.unread > 0 ? (
          <span className="badge conv__badge">
            <span aria-hidden="true">{c.unread}</span>
            <span className="sr-only">{t('staff.inbox.unreadCount', { count: c.unread })}</span>
          </span>
        ) : null}
      </Link>
    </li>
  );
}

function SearchResults(props: {
  search: { q: string; hits: SearchHit[]; next: string | null; loading: boolean; error: Phrase | null };
  onOpen(id: string): void;
  onClose(): void;
  onMore(): void;
  lang: string;
}) {
  const { t } = useTranslation();
  const { search } = props;
  return (
    <div className="results">
      <div className="results__head">
        <p role="status">{search.loading && search.hits.length === 0 ? t('common.loading') : t('staff.search.count', { count: search.hits.length, q: search.q })}</p>
        <button type="button" className="btn btn--small btn--ghost" onClick={props.onClose}>
          {t('staff.search.close')}
        </button>
      </div>
      {search.error ? <ErrorNote>{search.error(t)}</ErrorNote> : null}
      {!search.loading && !search.error && search.hits.length === 0 ? <EmptyState title={t('staff.search.none')} icon="search" /> : null}
      <ul className="convs">
        {search.hits.map((hit) => (
          <li key={hit.message.id}>
            <button type="button" className="conv" onClick={() => props.onOpen(hit.conversation.id)}>
              <span className="conv__room">{hit.conversation.stay.roomNumber}</span>
              <span className="conv__main">
                <span className="conv__top">
                  <span className="conv__name">{hit.message.sender.name}</span>
                  <time className="conv__time" dateTime={hit.message.createdAt}>
                    {new Date(hit.message.createdAt).toLocaleDateString(props.lang)} {formatTime(hit.message.createdAt, props.lang)}
                  </time>
                </span>
                <span className="conv__preview conv__preview--full">{hit.message.body}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      {search.next ? (
        <button type="button" className="btn btn--small btn--ghost" onClick={props.onMore} disabled={search.loading}>
          {t('staff.search.more')}
        </button>
      ) : null}
    </div>
  );
}
