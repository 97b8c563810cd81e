import { Component, type ReactNode } from 'react';
import { i18n } from './i18n';

/** Last resort: a readable page instead of a blank one when rendering throws. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error) {
    console.error(error);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="fatal" role="alert">
        <h1>{i18n.t('errors.crashTitle')}</h1>
        <p>{i18n.t('errors.crashBody')}</p>
        <button type="button" className="btn btn--primary" onClick={() => window.location.reload()}>
          {i18n.t('errors.reload')}
        </button>
      </main>
    );
  }
}
