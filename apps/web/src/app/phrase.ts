import type { TFunction } from 'i18next';
import { useCallback, useState } from 'react';

/**
 * What a notice says, kept as how to say it rather than as text: it is put into words in the
 * language of the moment it is shown, so that switching language re-words a notice already on
 * screen as well.
 */
export type Phrase = (t: TFunction) => string;

/** State for a notice (an error, a confirmation): null, or the Phrase to show. */
export function usePhrase(): [Phrase | null, (phrase: Phrase | null) => void] {
  // Held in an object: React would call a function handed to setState.
  const [held, setHeld] = useState<{ phrase: Phrase } | null>(null);
  const set = useCallback((phrase: Phrase | null) => setHeld(phrase ? { phrase } : null), []);
  return [held?.phrase ?? null, set];
}
