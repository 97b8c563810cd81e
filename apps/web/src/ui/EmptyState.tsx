import type { ReactNode } from 'react';

export function EmptyState({ title, children, icon = '✉' }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div className="empty">
      <span className="empty__icon" aria-hidden="true">
        {icon}
      </span>
      <p className="empty__title">{title}</p>
      {children ? <div className="empty__body">{children}</div> : null}
    </div>
  );
}
