import { normalizeJoinCode } from '@bellhop/protocol';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { describeError } from '../../app/errors';
import { joinStay } from '../../lib/api';
import { ErrorNote } from '../../ui/ErrorNote';
import { Loading } from '../../ui/Loading';
import { GuestLayout } from './GuestLayout';

/** `/join/:code`: the join link and QR code land here and go straight into the chat. */
export function JoinLinkPage() {
  const { t } = useTranslation();
  const { code = '' } = useParams();
  const navigate = useNavigate();
  // What went wrong, translated when shown: switching the language neither repeats the join
  // (each failed one counts towards the lock-out) nor leaves the text in the old language.
  const [failure, setFailure] = useState<{ invalid: true } | { invalid: false; err: unknown } | null>(null);

  useEffect(() => {
    const normalized = normalizeJoinCode(code);
    if (!normalized) {
      setFailure({ invalid: true });
      return;
    }
    let cancelled = false;
    joinStay({ code: normalized }).then(
      () => !cancelled && navigate('/chat', { replace: true }),
      (err: unknown) => !cancelled && setFailure({ invalid: false, err }),
    );
    return () => {
      cancelled = true;
    };
  }, [code, navigate]);
  const error = failure === null ? null : failure.invalid ? t('guest.join.invalid') : describeError(failure.err, t, t('guest.join.notFound'));

  return (
    <GuestLayout>
      <main className="guest__main guest__main--center">
        {error ? (
          <section className="card entry">
            <h1 className="entry__title">{t('guest.join.failedTitle')}</h1>
            <ErrorNote>{error}</ErrorNote>
            <Link className="btn btn--primary btn--block btn--large" to="/">
              {t('guest.join.enterManually')}
            </Link>
          </section>
        ) : (
          <Loading label={t('guest.join.joining')} />
        )}
      </main>
    </GuestLayout>
  );
}
