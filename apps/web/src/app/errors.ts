import type { TFunction } from 'i18next';
import { ApiError, NetworkError } from '../lib/api';

/** A sentence for a failed request; `unauthorized` names what a 401 means on this screen. */
export function describeError(error: unknown, t: TFunction, unauthorized?: string): string {
  if (error instanceof NetworkError) return t('errors.network');
  if (error instanceof ApiError) {
    if (error.status === 401 && unauthorized) return unauthorized;
    if (error.status === 401) return t('errors.sessionEnded');
    if (error.status === 403) return t('errors.forbidden');
    if (error.status === 404) return t('errors.notFound');
    if (error.status === 429) return t('errors.throttled', { minutes: Math.max(1, Math.ceil((error.retryAfter ?? 900) / 60)) });
    if (error.status >= 500) return t('errors.server');
    // The server's validation lines name fields and rules; they stay as sent, inside a translated sentence.
    if (error.status === 400) return t('errors.badRequest', { details: error.messages.join(' · ') });
    if (error.status === 409) return t('errors.conflict');
    if (error.status === 413) return t('errors.tooLarge');
  }
  return t('errors.unexpected');
}
