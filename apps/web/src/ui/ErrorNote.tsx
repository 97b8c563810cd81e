import type { ReactNode } from 'react';

/** An error a person must notice: announced at once (role=alert). */
export function ErrorNote({ children, action, id }: { children: ReactNode; action?: ReactNode; id?: string }) {
  return (
    <div className="note note--error" role="alert" id={id}>
      <p>{children}</p>
      {action}
    </div>
  );
}
