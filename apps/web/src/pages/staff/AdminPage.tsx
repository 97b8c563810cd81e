import { createStaffRequestSchema, passwordSchema, type StaffRole, type StaffUser } from '@bellhop/protocol';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../app/errors';
import { usePhrase, type Phrase } from '../../app/phrase';
import { api, ApiError } from '../../lib/api';
import { BusyButton } from '../../ui/BusyButton';
import { ConfirmStep } from '../../ui/ConfirmStep';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNote } from '../../ui/ErrorNote';
import { Loading } from '../../ui/Loading';
import { usePageTitle, useStaff } from './StaffContext';

/** `/staff/admin`: staff accounts (admins only). */
export function AdminPage() {
  const { t } = useTranslation();
  const { session, directory } = useStaff();
  usePageTitle(t('staff.nav.admin'));
  const [staff, setStaff] = useState<StaffUser[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    setError(null);
    try {
      setStaff((await api.staff()).items);
    } catch (err) {
      setError(err);
    }
  }, []);

  useEffect(() => {
    if (session.user.role === 'admin') void reload();
  }, [reload, session.user.role]);

  if (session.user.role !== 'admin') {
    return (
      <div className="admin">
        <EmptyState title={t('staff.admin.only')} icon="lock" />
      </div>
    );
  }

  return (
    <div className="admin">
      <CreateStaffForm
        onCreated={() => {
          void reload();
          void directory.load();
        }}
      />
      <section className="card" aria-labelledby="staff-title">
        <h2 id="staff-title">{t('staff.admin.accounts')}</h2>
        {error ? (
          <ErrorNote
            action={
              <button type="button" className="btn btn--small" onClick={() => void reload()}>
                {t('common.retry')}
              </button>
            }
          >
            {describeError(error, t)}
          </ErrorNote>
        ) : staff === null ? (
          <Loading label={t('common.loading')} />
        ) : (
          <ul className="accounts">
            {staff.map((s) => (
              <StaffRow
                key={s.id}
                user={s}
                isSelf={s.id === session.user.id}
                onChanged={(u) => {
                  setStaff((list) => list?.map((x) => (x.id === u.id ? u : x)) ?? null);
                  // Names, roles and who is active show up in the assign control.
                  void directory.load();
                }}
              />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function CreateStaffForm({ onCreated }: { onCreated(): void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ username: '', displayName: '', role: 'agent' as StaffRole, password: '' });
  const [problem, setProblem] = usePhrase();
  const [done, setDone] = usePhrase();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const parsed = createStaffRequestSchema.safeParse(form);
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? '');
      const detail = parsed.error.issues[0]?.message ?? '';
      setProblem((t) => t(`staff.admin.invalid.${field}`, { defaultValue: detail }));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const created = await api.createStaff(parsed.data);
      setDone((t) => t('staff.admin.created', { name: created.displayName }));
      setForm({ username: '', displayName: '', role: 'agent', password: '' });
      onCreated();
    } catch (error) {
      setProblem((t) => (error instanceof ApiError && error.status === 409 ? t('staff.admin.taken') : describeError(error, t)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="new-staff-title">
      <h1 id="new-staff-title">{t('staff.admin.new')}</h1>
      <form className="form form--grid" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="ns-username">{t('staff.admin.username')}</label>
          <input id="ns-username" className="input" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} autoComplete="off" autoCapitalize="none" required />
        </div>
        <div className="field">
          <label htmlFor="ns-display">{t('staff.admin.displayName')}</label>
          <input id="ns-display" className="input" value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} autoComplete="off" required />
          <p className="field__hint">{t('staff.admin.displayNameHint')}</p>
        </div>
        <div className="field">
          <label htmlFor="ns-role">{t('staff.admin.role')}</label>
          <select id="ns-role" className="input" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as StaffRole })}>
            <option value="agent">{t('staff.role.agent')}</option>
            <option value="admin">{t('staff.role.admin')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="ns-password">{t('staff.admin.password')}</label>
          <input id="ns-password" className="input" type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" required />
          <p className="field__hint">{t('staff.admin.passwordHint')}</p>
        </div>
        {problem ? (
          <div className="form__full">
            <ErrorNote>{problem(t)}</ErrorNote>
          </div>
        ) : null}
        {done ? (
          <p className="form__full note note--ok" role="status">
            {done(t)}
          </p>
        ) : null}
        <div className="form__full">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? t('staff.admin.creating') : t('staff.admin.create')}
          </button>
        </div>
      </form>
    </section>
  );
}

function StaffRow({ user, isSelf, onChanged }: { user: StaffUser; isSelf: boolean; onChanged(user: StaffUser): void }) {
  const { t } = useTranslation();
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState('');
  const [problem, setProblem] = usePhrase();
  const [done, setDone] = usePhrase();
  const [busy, setBusy] = useState(false);
  /** Disabling signs the member out everywhere: asked once more first, as a check-out is. */
  const [confirmingDisable, setConfirmingDisable] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);

  useEffect(() => {
    // The confirmation gone (done or cancelled): the focus goes back to the button it came from.
    if (wasConfirming.current && !confirmingDisable) toggle.current?.focus();
    wasConfirming.current = confirmingDisable;
  }, [confirmingDisable]);

  const patch = async (body: { role?: StaffRole; disabled?: boolean; password?: string }, message: Phrase) => {
    setBusy(true);
    setProblem(null);
    setDone(null);
    try {
      onChanged(await api.updateStaff(user.id, body));
      setDone(message);
      return true;
    } catch (error) {
      // The one 409 here: demoting or disabling the last active admin.
      setProblem((t) => (error instanceof ApiError && error.status === 409 ? t('staff.admin.lastAdmin') : describeError(error, t)));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const resetPassword = async (event: FormEvent) => {
    event.preventDefault();
    if (!passwordSchema.safeParse(password).success) return setProblem((t) => t('staff.admin.invalid.password'));
    if (await patch({ password }, (t) => t('staff.admin.passwordReset'))) {
      setPassword('');
      setResetting(false);
    }
  };

  return (
    <li className={`account${user.disabled ? ' account--disabled' : ''}`}>
      <div className="account__who">
        <span className="account__name">{user.displayName}</span>
        <span className="account__username">@{user.username}</span>
        {user.disabled ? <span className="chip">{t('staff.admin.disabled')}</span> : null}
        {isSelf ? <span className="chip chip--assignee">{t('staff.admin.you')}</span> : null}
      </div>
      <div className="account__actions">
        <label className="sr-only" htmlFor={`role-${user.id}`}>
          {t('staff.admin.roleOf', { name: user.displayName })}
        </label>
        <select
          id={`role-${user.id}`}
          className="input input--small"
          value={user.role}
          disabled={isSelf}
          aria-disabled={busy || undefined}
          onChange={(e) => {
            if (!busy) void patch({ role: e.target.value as StaffRole }, (t) => t('staff.admin.roleChanged'));
          }}
        >
          <option value="agent">{t('staff.role.agent')}</option>
          <option value="admin">{t('staff.role.admin')}</option>
        </select>
        <BusyButton className="btn btn--small" busy={busy} onClick={() => setResetting((v) => !v)} aria-expanded={resetting}>
          {t('staff.admin.resetPassword')}
        </BusyButton>
        {isSelf ? null : confirmingDisable ? (
          <ConfirmStep
            label={t('staff.admin.confirmDisable', { name: user.displayName })}
            busy={busy}
            onConfirm={async () => {
              await patch({ disabled: true }, (t) => t('staff.admin.disabledNow'));
              setConfirmingDisable(false);
            }}
            onCancel={() => setConfirmingDisable(false)}
          />
        ) : (
          <BusyButton
            ref={toggle}
            className={`btn btn--small${user.disabled ? '' : ' btn--danger'}`}
            busy={busy}
            onClick={() => {
              if (user.disabled) void patch({ disabled: false }, (t) => t('staff.admin.enabledNow'));
              else setConfirmingDisable(true);
            }}
          >
            {user.disabled ? t('staff.admin.enable') : t('staff.admin.disable')}
          </BusyButton>
        )}
      </div>
      {resetting ? (
        <form className="account__reset" onSubmit={resetPassword}>
          <label htmlFor={`pw-${user.id}`}>{t('staff.admin.newPassword', { name: user.displayName })}</label>
          <input
            id={`pw-${user.id}`}
            className="input input--small"
            type="password"
            autoComplete="new-password"
            // Opened by Reset password: the keyboard goes where the new password is typed.
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="btn btn--small btn--primary" disabled={busy}>
            {t('staff.admin.setPassword')}
          </button>
        </form>
      ) : null}
      {problem ? <ErrorNote>{problem(t)}</ErrorNote> : null}
      {done ? (
        <p className="note note--ok" role="status">
          {done(t)}
        </p>
      ) : null}
    </li>
  );
}
