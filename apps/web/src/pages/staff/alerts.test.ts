import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { onSoundChangedElsewhere, playChime, setSoundOn, soundOn } from './alerts';

/** jsdom has no Web Audio: a stand-in that counts the notes played. */
let notes = 0;
class CountingAudioContext {
  state = 'running';
  currentTime = 0;
  destination = {};
  resume(): Promise<void> {
    return Promise.resolve();
  }
  createOscillator() {
    notes += 1;
    return { type: '', frequency: { value: 0 }, connect: (node: unknown) => node, start() {}, stop() {} };
  }
  createGain() {
    const gain = { setValueAtTime() {}, exponentialRampToValueAtTime() {} };
    return { gain, connect: (node: unknown) => node };
  }
}

describe('the new-message chime', () => {
  beforeAll(() => {
    (globalThis as unknown as { AudioContext: unknown }).AudioContext = CountingAudioContext;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    localStorage.clear();
    setSoundOn(true);
    notes = 0;
  });

  it('plays by default', () => {
    expect(soundOn()).toBe(true);
    playChime();
    expect(notes).toBe(2);
  });

  it('stays silent once turned off, and the choice is kept in the browser', () => {
    setSoundOn(false);
    expect(localStorage.getItem('bellhop.sound')).toBe('off');
    expect(soundOn()).toBe(false);
    playChime();
    expect(notes).toBe(0);
    setSoundOn(true);
    playChime();
    expect(notes).toBe(2);
  });

  it('follows a choice made in another tab', () => {
    const seen: boolean[] = [];
    const stop = onSoundChangedElsewhere((on) => seen.push(on));
    // What another tab's setSoundOn(false) looks like from here: the value stored, then the event.
    localStorage.setItem('bellhop.sound', 'off');
    window.dispatchEvent(new StorageEvent('storage', { key: 'bellhop.sound', newValue: 'off' }));
    window.dispatchEvent(new StorageEvent('storage', { key: 'something.else', newValue: 'x' }));
    stop();
    window.dispatchEvent(new StorageEvent('storage', { key: 'bellhop.sound', newValue: 'on' }));
    expect(seen).toEqual([false]);
  });

  it('still honours the choice when the browser keeps nothing', () => {
    jest.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new Error('storage is blocked');
    });
    setSoundOn(false);
    playChime();
    expect(notes).toBe(0);
    expect(soundOn()).toBe(false);
  });
});
