import { THROTTLE_WINDOW_MS, ThrottleKind, throttleKey, throttleState } from './throttle.js';

const now = 10_000_000_000;
const minutes = (n: number) => n * 60_000;
const ago = (...m: number[]) => m.map((n) => now - minutes(n));

describe('throttleState', () => {
  it('is open below the limit', () => {
    expect(throttleState([now - 1000, now - 2000, now - 3000, now - 4000], 5, now)).toEqual({ locked: false });
  });

  it('locks at the limit, for 15 minutes from the failure that reached it', () => {
    expect(throttleState(ago(10, 8, 6, 4, 1), 5, now)).toEqual({ locked: true, retryAfterSeconds: 14 * 60 });
  });

  it('does not lock when the failures do not fall within one window', () => {
    expect(throttleState(ago(20, 3, 2, 1, 0.5), 5, now)).toEqual({ locked: false });
  });

  it('locks when they do, even if the first has since left the window', () => {
    // 16 and 1.5 minutes ago are 14.5 minutes apart: five failures within one window.
    expect(throttleState(ago(16, 4, 3, 2, 1.5), 5, now)).toEqual({ locked: true, retryAfterSeconds: 13.5 * 60 });
  });

  it('lifts the lock 15 minutes after it started', () => {
    expect(throttleState(ago(20, 19, 18, 17, 16), 5, now)).toEqual({ locked: false });
    expect(throttleState(ago(20, 19, 18, 17, 14), 5, now)).toEqual({ locked: true, retryAfterSeconds: 60 });
  });

  it('counts from the latest failure that reached the limit (concurrent failures)', () => {
    expect(throttleState(ago(14, 5, 4, 3, 2, 1), 5, now)).toEqual({ locked: true, retryAfterSeconds: 14 * 60 });
  });

  it('never answers a Retry-After below one second', () => {
    const times = Array.from({ length: 5 }, () => now - THROTTLE_WINDOW_MS + 10);
    expect(throttleState(times, 5, now)).toEqual({ locked: true, retryAfterSeconds: 1 });
  });

  it('does not depend on the order of the failure times', () => {
    expect(throttleState(ago(1, 10, 4, 8, 6), 5, now)).toEqual({ locked: true, retryAfterSeconds: 14 * 60 });
  });

  it('uses each kind of limit as given', () => {
    const ten = ago(10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    expect(throttleState(ten.slice(1), 10, now)).toEqual({ locked: false });
    expect(throttleState(ten, 10, now)).toEqual({ locked: true, retryAfterSeconds: 14 * 60 });
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
