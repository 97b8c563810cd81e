import { normalizeJoinCode, personNameInputSchema, roomNumberInputSchema } from '@bellhop/protocol';
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { describeError } from '../../app/errors';
import { usePhrase, type Phrase } from '../../app/phrase';
import { ApiError, getSession, joinStay, restoreSession } from '../../lib/api';
import { ErrorNote } from '../../ui/ErrorNote';
import { Loading } from '../../ui/Loading';
import { GuestLayout } from './GuestLayout';

type Mode = 'code' | 'room';
const MODES: readonly Mode[] = ['code', 'room'];

/** `/`: the guest signs in with the join code, or with room number and family name. */
export function GuestEntryPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [checking, setChecking] = useState(() => getSession()?.kind !== 'guest');
  const [mode, setMode] = useState<Mode>('code');
  const [code, setCode] = useState('');
  const [room, setRoom] = useState('');
  const [family, setFamily] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = usePhrase();
  /** The inputs the error is about: marked invalid and described by it, the first one focused. */
  const [badFields, setBadFields] = useState<string[]>([]);
  const heading = useRef<HTMLHeadingElement>(null);
  const modeButtons = useRef<Partial<Record<Mode, HTMLButtonElement | null>>>({});

  const chooseMode = (m: Mode) => {
    setMode(m);
    setError(null);
    setBadFields([]);
  };
  const refuse = (fields: string[], phrase: Phrase) => {
    setError(phrase);
    setBadFields(fields);
    if (fields[0]) document.getElementById(fields[0])?.focus();
  };
  /** An input's invalid marks and its change handler, which clears them. */
  const field = (id: string, set: (value: string) => void) => ({
    ...(badFields.includes(id) ? { 'aria-invalid': true, 'aria-describedby': 'join-problem' } : {}),
    onChange: (e: ChangeEvent<HTMLInputElement>) => {
      set(e.target.value);
      setBadFields((fields) => (fields.includes(id) ? fields.filter((f) => f !== id) : fields));
    },
  });
  // A radio group: one Tab stop, the arrow keys move the choice (and the focus) along.
  const onModeKey = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = MODES[(MODES.indexOf(mode) + step + MODES.length) % MODES.length]!;
    chooseMode(next);
    modeButtons.current[next]?.focus();
  };

  useEffect(() => {
    document.title = `${t('guest.entry.title')} · ${t('brand')}`;
  }, [t]);

  useEffect(() => {
    if (getSession()?.kind === 'guest') {
      navigate('/chat', { replace: true });
      return;
    }
    let cancelled = false;
    // A returning guest whose cookie is still valid goes straight to the chat.
    restoreSession().then(
      (session) => {
        if (cancelled) return;
        if (session?.kind === 'guest') navigate('/chat', { replace: true });
        else setChecking(false);
      },
      () => !cancelled && setChecking(false),
    );
    return () => {
      cancelled = true;
    };
  }, [navigate]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBadFields([]);
    let request;
    if (mode === 'code') {
      const normalized = normalizeJoinCode(code);
      if (!normalized) return refuse(['join-code'], (t) => t('guest.entry.badCode'));
      request = { code: normalized };
    } else {
      // The server's own rules, so that what it would refuse is said here, in the guest's language.
      const r = roomNumberInputSchema.safeParse(room);
      const f = personNameInputSchema.safeParse(family);
      if (!r.success || !f.success) {
        // An empty field first; then the fields with a character the server refuses.
        const checked = [
          { id: 'join-room', issues: r.success ? [] : r.error.issues },
          { id: 'join-family', issues: f.success ? [] : f.error.issues },
        ];
        const empty = checked.filter((c) => c.issues.some((i) => i.code === 'too_small')).map((c) => c.id);
        if (empty.length > 0) return refuse(empty, (t) => t('guest.entry.missingRoom'));
        return refuse(
          checked.filter((c) => c.issues.length > 0).map((c) => c.id),
          (t) => t('guest.entry.unusualCharacter'),
        );
      }
      request = { roomNumber: r.data, familyName: f.data };
    }
    setBusy(true);
    try {
      await joinStay(request);
      navigate('/chat', { replace: true });
    } catch (err) {
      const notFound = mode === 'code' ? 'guest.entry.codeNotFound' : 'guest.entry.roomNotFound';
      const phrase: Phrase = (t) => describeError(err, t, t(notFound));
      // Refused (not a network or server failure): what was typed is what is wrong.
      const refused = err instanceof ApiError && (err.status === 400 || err.status === 401 || err.status === 404);
      if (refused) refuse(mode === 'code' ? ['join-code'] : ['join-room', 'join-family'], phrase);
      else setError(phrase);
      setBusy(false);
    }
  };

  if (checking) {
    return (
      <GuestLayout>
        <main className="guest__main guest__main--center">
          <Loading label={t('common.loading')} />
        </main>
      </GuestLayout>
    );
  }

  return (
    <GuestLayout>
      <main className="guest__main guest__main--center">
        <section className="card entry" aria-labelledby="entry-title">
          <h1 id="entry-title" ref={heading} className="entry__title">
            {t('guest.entry.title')}
          </h1>
          <p className="entry__lead">{t('guest.entry.lead')}</p>
          <div className="segmented" role="radiogroup" aria-label={t('guest.entry.how')} onKeyDown={onModeKey}>
            {MODES.map((m) => (
              <button
                key={m}
                ref={(el) => {
                  modeButtons.current[m] = el;
                }}
                type="button"
                role="radio"
                aria-checked={mode === m}
                tabIndex={mode === m ? 0 : -1}
                className={`segmented__option${mode === m ? ' is-active' : ''}`}
                onClick={() => chooseMode(m)}
              >
                {t(`guest.entry.mode.${m}`)}
              </button>
            ))}
          </div>
          <form onSubmit={submit} className="form" noValidate>
            {mode === 'code' ? (
              <div className="field">
                <label htmlFor="join-code">{t('guest.entry.code')}</label>
                <input
                  id="join-code"
                  className="input input--code"
                  {...field('join-code', setCode)}
                  value={code}
                  autoCapitalize="characters"
                  autoComplete="one-time-code"
                  autoCorrect="off"
                  spellCheck={false}
                  placeholder="ABCD-EFGH"
                  inputMode="text"
                  maxLength={20}
                  required
                />
                <p className="field__hint">{t('guest.entry.codeHint')}</p>
              </div>
            ) : (
              <>
                <div className="field">
                  <label htmlFor="join-room">{t('guest.entry.room')}</label>
                  <input id="join-room" className="input" {...field('join-room', setRoom)} value={room} inputMode="text" maxLength={10} autoComplete="off" required />
                </div>
                <div className="field">
                  <label htmlFor="join-family">{t('guest.entry.family')}</label>
                  <input id="join-family" className="input" {...field('join-family', setFamily)} value={family} autoComplete="family-name" maxLength={100} required />
                </div>
              </>
            )}
            {error ? <ErrorNote id="join-problem">{error(t)}</ErrorNote> : null}
            <button type="submit" className="btn btn--primary btn--block btn--large" disabled={busy}>
              {busy ? t('guest.entry.joining') : t('guest.entry.submit')}
            </button>
          </form>
        </section>
        <p className="entry__staff">
          <Link to="/staff">{t('guest.entry.staffLink')}</Link>
        </p>
      </main>
    </GuestLayout>
  );
}
