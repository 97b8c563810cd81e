import { lazy, Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Link, Route, Routes } from 'react-router';
import { GuestChatPage } from '../pages/guest/GuestChatPage';
import { GuestEntryPage } from '../pages/guest/GuestEntryPage';
import { JoinLinkPage } from '../pages/guest/JoinLinkPage';
import { EmptyState } from '../ui/EmptyState';
import { Loading } from '../ui/Loading';
import { ErrorBoundary } from './ErrorBoundary';

// The console is loaded only by staff: guests on a phone download just the guest pages.
const StaffShell = lazy(() => import('../pages/staff/StaffShell').then((m) => ({ default: m.StaffShell })));
const InboxPage = lazy(() => import('../pages/staff/InboxPage').then((m) => ({ default: m.InboxPage })));
const StaysPage = lazy(() => import('../pages/staff/StaysPage').then((m) => ({ default: m.StaysPage })));
const AdminPage = lazy(() => import('../pages/staff/AdminPage').then((m) => ({ default: m.AdminPage })));

function Page({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return <Suspense fallback={<Loading label={t('common.loading')} />}>{children}</Suspense>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<GuestEntryPage />} />
      <Route path="/join/:code" element={<JoinLinkPage />} />
      <Route path="/chat" element={<GuestChatPage />} />
      <Route
        path="/staff"
        element={
          <Page>
            <StaffShell />
          </Page>
        }
      >
        <Route
          index
          element={
            <Page>
              <InboxPage />
            </Page>
          }
        />
        <Route
          path="stays"
          element={
            <Page>
              <StaysPage />
            </Page>
          }
        />
        <Route
          path="admin"
          element={
            <Page>
              <AdminPage />
            </Page>
          }
        />
      </Route>
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <main className="guest__main guest__main--center">
      <EmptyState title={t('errors.pageNotFound')} icon="compass">
        <Link to="/">{t('errors.home')}</Link>
      </EmptyState>
    </main>
  );
}

export function App() {
  return (
    <ErrorBoundary>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </ErrorBoundary>
  );
}
