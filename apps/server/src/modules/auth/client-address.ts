/** The address failures are counted against: the socket peer, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy && forwardedFor !== undefined) {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
    const first = header.split(',')[0]?.trim();
    if (first) return normalizeAddress(first);
  }
  return normalizeAddress(peer ?? 'unknown');
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is the same client as `10.0.0.1`. */
function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
