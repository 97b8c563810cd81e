/** A short two-note chime made with Web Audio (no sound file to serve). */
let audio: AudioContext | null = null;

const SOUND_KEY = 'bellhop.sound';
/** The choice when the browser keeps nothing (storage blocked): it holds until the page is reloaded. */
let unsaved: boolean | undefined;

/** Whether the chime plays: on unless turned off in this browser (kept across sign-ins and reloads). */
export function soundOn(): boolean {
  if (unsaved !== undefined) return unsaved;
  try {
    return localStorage.getItem(SOUND_KEY) !== 'off';
  } catch {
    return true;
  }
}

/** Calls back when another tab of this browser turns the chime on or off. */
export function onSoundChangedElsewhere(callback: (on: boolean) => void): () => void {
  const listener = (e: StorageEvent) => {
    if (e.key === SOUND_KEY) callback(soundOn());
  };
  window.addEventListener('storage', listener);
  return () => window.removeEventListener('storage', listener);
}

export function setSoundOn(on: boolean): void {
  try {
    localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    unsaved = undefined;
  } catch {
    unsaved = on;
  }
}

/** Browsers allow sound only after a user gesture: call this from one (sign-in, a click). */
export function unlockSound(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    audio = null;
  }
}

export function playChime(): void {
  if (!soundOn()) return;
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1318.5].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const start = now + i * 0.16;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.5);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 0.55);
    }
  } catch {
    // No audio device: the title count and the notification still show.
  }
}

export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function showNotification(title: string, body: string, tag: string, onClick: () => void): void {
  if (!notificationsSupported() || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  } catch {
    // Some platforms allow notifications only from a service worker.
  }
}
