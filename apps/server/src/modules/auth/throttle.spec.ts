import { THROTTLE_WINDOW_MS, ThrottleKind, throttleKey, throttleState } from './throttle.js';

const now = 10_000_000_000;
const minutes = (n: number) => n * 60_000;

describe('throttleState', () => {
  it('is open below the limit', () => {
    expect(throttleState([now - 1000, now - 2000, now - 3000, now - 4000], 5, now)).toEqual({ locked: false });
  });

  it('locks at the limit, until 15 minutes after the failure that reached it', () => {
    const times = [now - minutes(10), now - minutes(8), now - minutes(6), now - minutes(4), now - minutes(1)];
    expect(throttleState(times, 5, now)).toEqual({ locked: true, retryAfterSeconds: 14 * 60 });
  });

  it('ignores failures older than the window', () => {
    const times = [now - THROTTLE_WINDOW_MS - 1, now - minutes(3), now - minutes(2), now - minutes(1), now - 1000];
    expect(throttleState(times, 5, now)).toEqual({ locked: false });
  });

  it('keeps the lock while more than the limit lie in the window (concurrent failures)', () => {
    const times = [now - minutes(14), now - minutes(5), now - minutes(4), now - minutes(3), now - minutes(2), now - minutes(1)];
    // The 5th most recent (5 minutes ago) must leave before the count drops below 5.
    expect(throttleState(times, 5, now)).toEqual({ locked: true, retryAfterSeconds: 10 * 60 });
  });

  it('never answers a Retry-After below one second', () => {
    const times = Array.from({ length: 5 }, () => now - THROTTLE_WINDOW_MS + 10);
    expect(throttleState(times, 5, now)).toEqual({ locked: true, retryAfterSeconds: 1 });
  });

  it('does not depend on the order of the failure times', () => {
    const times = [now - minutes(1), now - minutes(10), now - minutes(4), now - minutes(8), now - minutes(6)];
    expect(throttleState(times, 5, now)).toEqual({ locked: true, retryAfterSeconds: 5 * 60 });
  });
});

describe('throttleKey', () => {
  it('folds usernames to one key whatever their case', () => {
    expect(throttleKey(ThrottleKind.LoginUsername, ' Alice ')).toBe('alice');
  });
  it('keeps addresses as they are', () => {
    expect(throttleKey(ThrottleKind.LoginAddress, '2001:db8::1')).toBe('2001:db8::1');
  });
});
