import { createStayRequestSchema, type CreateStayResponse, type StayListItem } from '@bellhop/protocol';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { describeError } from '../../app/errors';
import { usePhrase, type Phrase } from '../../app/phrase';
import { formatDate } from '../../features/chat/format';
import { api, ApiError } from '../../lib/api';
import { ConfirmStep } from '../../ui/ConfirmStep';
import { EmptyState } from '../../ui/EmptyState';
import { guestFullName } from './guestName';
import { ErrorNote } from '../../ui/ErrorNote';
import { Loading } from '../../ui/Loading';
import { QrCode } from '../../ui/QrCode';
import { usePageTitle } from './StaffContext';

function isoDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The join card of a listed stay: only an in-house stay has one. */
function cardOf(stay: StayListItem): CreateStayResponse | null {
  const { joinCode, joinUrl, ...rest } = stay;
  return stay.status === 'active' && joinCode && joinUrl ? { stay: rest, joinCode, joinUrl } : null;
}

const showCardId = (stayId: string) => `show-card-${stayId}`;
const checkOutId = (stayId: string) => `check-out-${stayId}`;

/** `/staff/stays`: check-in (with the printable join card), in-house list (each card shown again on request), check-out. */
export function StaysPage() {
  const { t } = useTranslation();
  usePageTitle(t('staff.nav.stays'));
  const [card, setCard] = useState<CreateStayResponse | null>(null);
  const [stays, setStays] = useState<StayListItem[] | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [showDeparted, setShowDeparted] = useState(false);
  /**
   * The room last checked out here: said above the list by taking the focus its row had (not also
   * a live region: it would be read twice). It lives here and not in the table, which is gone once
   * the last in-house stay has left.
   */
  const [checkedOut, setCheckedOut] = useState<{ room: string } | null>(null);
  const done = useRef<HTMLParagraphElement>(null);
  /**
   * The list shown now, and the latest request for it: an answer for an older one is dropped. Read
   * through this ref, so that a check-in or check-out that ends after the filter changed reloads
   * the list shown then, not the one it started on.
   */
  const view = useRef({ showDeparted, request: 0 });
  useLayoutEffect(() => {
    view.current.showDeparted = showDeparted;
  }, [showDeparted]);

  useEffect(() => {
    if (checkedOut !== null) done.current?.focus();
  }, [checkedOut]);

  const reload = useCallback(async () => {
    const request = ++view.current.request;
    setListError(null);
    try {
      const items = (await api.stays(view.current.showDeparted ? 'checked_out' : 'active')).items;
      if (request === view.current.request) setStays(items);
    } catch (error) {
      if (request === view.current.request) setListError(error);
    }
  }, []);

  useEffect(() => {
    setStays(null);
    void reload();
  }, [showDeparted, reload]);

  return (
    <div className="stays">
      <div className="stays__top">
        <CheckInForm
          onCreated={(created) => {
            setCard(created);
            setCheckedOut(null);
            void reload();
          }}
        />
        {card ? (
          <JoinCard
            card={card}
            onClose={() => {
              const stayId = card.stay.id;
              setCard(null);
              // Back to where the card was asked for: its row's button, else the check-in form.
              requestAnimationFrame(() => (document.getElementById(showCardId(stayId)) ?? document.getElementById('ci-guest'))?.focus());
            }}
          />
        ) : null}
      </div>
      <section className="card stays__list" aria-labelledby="stays-title">
        <div className="section-head">
          <h2 id="stays-title">{showDeparted ? t('staff.stays.departed') : t('staff.stays.inHouse')}</h2>
          <button
            type="button"
            className="btn btn--small btn--ghost"
            onClick={() => {
              setCheckedOut(null);
              setShowDeparted((v) => !v);
            }}
          >
            {showDeparted ? t('staff.stays.showInHouse') : t('staff.stays.showDeparted')}
          </button>
        </div>
        <p ref={done} tabIndex={-1} className={checkedOut !== null ? 'note note--ok' : 'sr-only'}>
          {checkedOut !== null ? t('staff.stays.checkedOutRoom', { room: checkedOut.room }) : ''}
        </p>
        {listError ? (
          <ErrorNote
            action={
              <button type="button" className="btn btn--small" onClick={() => void reload()}>
                {t('common.retry')}
              </button>
            }
          >
            {describeError(listError, t)}
          </ErrorNote>
        ) : stays === null ? (
          <Loading label={t('common.loading')} />
        ) : stays.length === 0 ? (
          <EmptyState title={showDeparted ? t('staff.stays.noneDeparted') : t('staff.stays.none')} icon="bed" />
        ) : (
          <StayTable
            stays={stays}
            onShowCard={setCard}
            onCheckingOut={() => setCheckedOut(null)}
            onCheckedOut={(stay) => {
              setCard((c) => (c?.stay.id === stay.id ? null : c));
              // Said (and focused) on the list it happened on: not if the checked-out list is shown meanwhile.
              if (!view.current.showDeparted) setCheckedOut({ room: stay.roomNumber });
              void reload();
            }}
          />
        )}
      </section>
    </div>
  );
}

/** The check-in form's inputs, in the order they are on the screen. */
const FIELD_IDS = { guestName: 'ci-guest', familyName: 'ci-family', roomNumber: 'ci-room', checkOut: 'ci-out' } as const;
const FIELD_ORDER = Object.keys(FIELD_IDS) as (keyof typeof FIELD_IDS)[];

function CheckInForm({ onCreated }: { onCreated(created: CreateStayResponse): void }) {
  const { t } = useTranslation();
  const today = isoDate(new Date());
  const tomorrow = isoDate(new Date(Date.now() + 86_400_000));
  const [form, setForm] = useState({ guestName: '', familyName: '', roomNumber: '', checkOut: tomorrow });
  const [problem, setProblem] = usePhrase();
  /** The fields the problem is about: marked invalid, described by it, the first one focused. */
  const [invalid, setInvalid] = useState<ReadonlySet<keyof typeof form>>(new Set());
  const [busy, setBusy] = useState(false);

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [key]: e.target.value }));
    setInvalid((fields) => (fields.has(key) ? new Set([...fields].filter((f) => f !== key)) : fields));
  };

  const refuse = (fields: (keyof typeof form)[], phrase: Phrase) => {
    setProblem(phrase);
    setInvalid(new Set(fields));
    const first = FIELD_ORDER.find((f) => fields.includes(f));
    if (first) document.getElementById(FIELD_IDS[first])?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = createStayRequestSchema.safeParse(form);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
      refuse(
        fields.filter((f): f is keyof typeof form => f in FIELD_IDS),
        (t) => fields.map((field) => t(`staff.stays.field.${field}`, { defaultValue: field }) + ': ' + t('staff.stays.invalid')).join(' · '),
      );
      return;
    }
    if (parsed.data.checkOut < today) {
      refuse(['checkOut'], (t) => t('staff.stays.pastCheckOut'));
      return;
    }
    setBusy(true);
    setProblem(null);
    setInvalid(new Set());
    try {
      onCreated(await api.createStay(parsed.data));
      setForm({ guestName: '', familyName: '', roomNumber: '', checkOut: tomorrow });
    } catch (error) {
      const room = parsed.data.roomNumber;
      if (error instanceof ApiError && error.status === 409) refuse(['roomNumber'], (t) => t('staff.stays.roomTaken', { room }));
      else setProblem((t) => describeError(error, t));
    } finally {
      setBusy(false);
    }
  };

  const marks = (field: keyof typeof form) => (invalid.has(field) ? { 'aria-invalid': true, 'aria-describedby': 'ci-problem' } : {});

  return (
    <section className="card checkin" aria-labelledby="checkin-title">
      <h1 id="checkin-title">{t('staff.stays.checkIn')}</h1>
      <form className="form form--grid" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="ci-guest">{t('staff.stays.field.guestName')}</label>
          <input id="ci-guest" className="input" {...marks('guestName')} value={form.guestName} onChange={set('guestName')} autoComplete="off" maxLength={100} required />
        </div>
        <div className="field">
          <label htmlFor="ci-family">{t('staff.stays.field.familyName')}</label>
          <input id="ci-family" className="input" {...marks('familyName')} value={form.familyName} onChange={set('familyName')} autoComplete="off" maxLength={100} required />
        </div>
        <div className="field">
          <label htmlFor="ci-room">{t('staff.stays.field.roomNumber')}</label>
          <input id="ci-room" className="input" {...marks('roomNumber')} value={form.roomNumber} onChange={set('roomNumber')} autoComplete="off" maxLength={10} required />
        </div>
        <div className="field">
          <label htmlFor="ci-out">{t('staff.stays.field.checkOut')}</label>
          <input id="ci-out" className="input" {...marks('checkOut')} type="date" min={today} value={form.checkOut} onChange={set('checkOut')} required />
        </div>
        {problem ? (
          <div className="form__full">
            <ErrorNote id="ci-problem">{problem(t)}</ErrorNote>
          </div>
        ) : null}
        <div className="form__full">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? t('staff.stays.registering') : t('staff.stays.register')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The card handed to the guest: join code, QR code of the join link, printable on its own. */
function JoinCard({ card, onClose }: { card: CreateStayResponse; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [card]);
  const zh = i18n.getFixedT('zh');
  const en = i18n.getFixedT('en');
  return (
    <section className="card joincard" aria-labelledby="joincard-title">
      <div className="joincard__print">
        <h2 id="joincard-title" className="joincard__title" ref={heading} tabIndex={-1}>
          {t('staff.card.welcome', { name: card.stay.guestName })}
        </h2>
        <p className="joincard__room">{t('staff.card.room', { room: card.stay.roomNumber })}</p>
        <QrCode value={card.joinUrl} label={t('staff.card.qrLabel')} size={208} />
        <p className="joincard__steps">
          <span lang="en">{en('staff.card.scan')}</span>
          <br />
          <span lang="zh-Hans">{zh('staff.card.scan')}</span>
        </p>
        <p className="joincard__code-label">{t('staff.card.code')}</p>
        <p className="joincard__code" data-testid="join-code">
          {card.joinCode}
        </p>
        <p className="joincard__url">{card.joinUrl}</p>
        <p className="joincard__until">{t('staff.card.until', { date: formatDate(card.stay.checkOut, i18n.language) })}</p>
      </div>
      <div className="joincard__actions">
        <button type="button" className="btn btn--primary" onClick={() => window.print()}>
          {t('staff.card.print')}
        </button>
        <Link className="btn" to={`/staff?c=${card.stay.conversationId}`}>
          {t('staff.card.openChat')}
        </Link>
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </section>
  );
}

function StayTable({
  stays,
  onShowCard,
  onCheckingOut,
  onCheckedOut,
}: {
  stays: StayListItem[];
  onShowCard(card: CreateStayResponse): void;
  onCheckingOut(): void;
  onCheckedOut(stay: StayListItem): void;
}) {
  const { t, i18n } = useTranslation();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const checkout = async (stay: StayListItem) => {
    setBusy(stay.id);
    setError(null);
    onCheckingOut();
    try {
      await api.checkout(stay.id);
      setConfirming(null);
      onCheckedOut(stay);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      {error !== null ? <ErrorNote>{describeError(error, t)}</ErrorNote> : null}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('staff.stays.field.roomNumber')}</th>
              <th scope="col">{t('staff.stays.guest')}</th>
              <th scope="col">{t('staff.stays.field.checkIn')}</th>
              <th scope="col">{t('staff.stays.field.checkOut')}</th>
              <th scope="col">
                <span className="sr-only">{t('staff.stays.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {stays.map((s) => (
              <tr key={s.id}>
                <td className="table__room">{s.roomNumber}</td>
                <td>
                  {guestFullName(s)}
                </td>
                <td>
                  <time dateTime={s.checkIn}>{formatDate(s.checkIn, i18n.language)}</time>
                </td>
                <td>
                  <time dateTime={s.checkOut}>{formatDate(s.checkOut, i18n.language)}</time>
                </td>
                <td className="table__actions">
                  <Link className="btn btn--small btn--ghost" to={`/staff?c=${s.conversationId}`}>
                    {t('staff.stays.chat')}
                  </Link>
                  {cardOf(s) ? (
                    <button
                      type="button"
                      id={showCardId(s.id)}
                      className="btn btn--small btn--ghost"
                      aria-label={t('staff.stays.showCardFor', { room: s.roomNumber })}
                      onClick={() => onShowCard(cardOf(s)!)}
                    >
                      {t('staff.stays.showCard')}
                    </button>
                  ) : null}
                  {s.status === 'active' ? (
                    confirming === s.id ? (
                      <ConfirmStep
                        label={t('staff.stays.confirmCheckOut', { room: s.roomNumber })}
                        busy={busy === s.id}
                        onConfirm={() => void checkout(s)}
                        onCancel={() => {
                          setConfirming(null);
                          // Back to the button that asked, which is there again.
                          requestAnimationFrame(() => document.getElementById(checkOutId(s.id))?.focus());
                        }}
                      />
                    ) : (
                      <button type="button" id={checkOutId(s.id)} className="btn btn--small" onClick={() => setConfirming(s.id)}>
                        {t('staff.stays.checkOut')}
                      </button>
                    )
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
