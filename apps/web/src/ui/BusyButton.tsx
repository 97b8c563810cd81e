import type { ComponentProps } from 'react';

/**
 * A button that, while its action runs, is only marked busy (`aria-disabled`) and ignores presses:
 * a disabled button would drop the keyboard focus, which then falls to the page.
 */
export function BusyButton({ busy, onClick, ...rest }: Omit<ComponentProps<'button'>, 'onClick'> & { busy: boolean; onClick(): void }) {
  return (
    <button
      type="button"
      {...rest}
      aria-disabled={busy || undefined}
      onClick={() => {
        if (!busy) onClick();
      }}
    />
  );
}
