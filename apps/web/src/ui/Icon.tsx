/** A few line icons (inline SVG: no icon font, no emoji font needed). Decorative only. */
const PATHS = {
  bell: 'M5 18h14M12 5a1.5 1.5 0 0 1 1.5 1.5v.3A7 7 0 0 1 19 13.5V16H5v-2.5a7 7 0 0 1 5.5-6.7v-.3A1.5 1.5 0 0 1 12 5z',
  bellOff: 'M5 18h14M12 5a1.5 1.5 0 0 1 1.5 1.5v.3A7 7 0 0 1 19 13.5V16H5v-2.5a7 7 0 0 1 5.5-6.7v-.3A1.5 1.5 0 0 1 12 5zM4 4l16 16',
  chat: 'M4 5h16v11H9l-5 4z',
  search: 'M10.5 4a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zM15.5 15.5 20 20',
  bed: 'M3 18V7M3 14h18v4M21 14v-2a3 3 0 0 0-3-3h-7v5M6.5 11.5h.01',
  lock: 'M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  check: 'M5 12.5 10 17 19 7',
  compass: 'M12 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18zM15.5 8.5l-2 5-5 2 2-5z',
} as const;
export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 24, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg className={className} width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.6} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} />
    </svg>
  );
}
