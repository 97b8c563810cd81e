import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

export function EmptyState({ title, children, icon = 'chat' }: { title: string; children?: ReactNode; icon?: IconName }) {
  return (
    <div className="empty">
      <Icon name={icon} size={36} className="empty__icon" />
      <p className="empty__title">{title}</p>
      {children ? <div className="empty__body">{children}</div> : null}
    </div>
  );
}
