import type { ReactNode } from 'react';

/** An error a person must notice: announced at once (role=alert). */
export function ErrorNote({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="note note--error" role="alert">
      <p>{children}</p>
      {action}
    </div>
  );
}
