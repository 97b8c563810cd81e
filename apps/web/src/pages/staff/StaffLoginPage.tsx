import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../app/errors';
import { usePhrase, type Phrase } from '../../app/phrase';
import { login, type StaffSession } from '../../lib/api';
import { ErrorNote } from '../../ui/ErrorNote';
import { Icon } from '../../ui/Icon';
import { LanguageSwitcher } from '../../ui/LanguageSwitcher';

/** Shown on every /staff page until a staff member signs in. */
export function StaffLoginPage({ onSignedIn, notice }: { onSignedIn(session: StaffSession): void; notice?: Phrase | null }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = usePhrase();

  useEffect(() => {
    document.title = `${t('staff.login.title')} · ${t('brand')}`;
  }, [t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!username.trim() || !password) return setError((t) => t('staff.login.missing'));
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await login(username.trim(), password));
    } catch (err) {
      setError((t) => describeError(err, t, t('staff.login.failed')));
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <header className="login__bar">
        <span className="brand">
          <Icon name="bell" className="brand__mark" />
          {t('brand')} · {t('staff.console')}
        </span>
        <LanguageSwitcher />
      </header>
      <main className="login__main">
        <section className="card login__card" aria-labelledby="login-title">
          <h1 id="login-title">{t('staff.login.title')}</h1>
          {notice ? (
            <p className="note note--info" role="status">
              {notice(t)}
            </p>
          ) : null}
          <form className="form" onSubmit={submit} noValidate>
            <div className="field">
              <label htmlFor="login-username">{t('staff.login.username')}</label>
              <input id="login-username" className="input" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" autoCapitalize="none" autoFocus required />
            </div>
            <div className="field">
              <label htmlFor="login-password">{t('staff.login.password')}</label>
              <input id="login-password" className="input" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
            </div>
            {error ? <ErrorNote>{error(t)}</ErrorNote> : null}
            <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
              {busy ? t('staff.login.signingIn') : t('staff.login.submit')}
            </button>
          </form>
        </section>
      </main>
    </div>
  );
}
