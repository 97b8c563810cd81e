import { Limits, codePointLength, messageBodySchema, normalizeLineEnds } from '@bellhop/protocol';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { usePhrase } from '../../app/phrase';

export interface ComposerProps {
  /** Queues the message (it is kept and resent until the server has it). */
  onSend(text: string): void;
  onTyping?(active: boolean): void;
  disabled?: boolean;
  disabledReason?: string;
  label: string;
}

const TYPING_REPEAT_MS = Limits.typingThrottleMs;
const TYPING_IDLE_MS = 4_000;

/** Describes why a body would be refused, in words for the person typing. */
function problemOf(text: string): 'empty' | 'tooLong' | 'control' | null {
  const parsed = messageBodySchema.safeParse(normalizeLineEnds(text));
  if (parsed.success) return null;
  const message = parsed.error.issues[0]?.message ?? '';
  if (message.includes('control')) return 'control';
  if (message.includes('at most')) return 'tooLong';
  return 'empty';
}

export function Composer({ onSend, onTyping, disabled, disabledReason, label }: ComposerProps) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [problem, setProblem] = usePhrase();
  const input = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const errorId = useId();
  const countId = useId();

  useEffect(() => () => clearTimeout(idleTimer.current), []);

  // Grow with the text up to a few lines; CSS caps the height.
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + el.offsetHeight - el.clientHeight}px`;
  }, [text]);

  const stopTyping = () => {
    clearTimeout(idleTimer.current);
    if (lastTyping.current) onTyping?.(false);
    lastTyping.current = 0;
  };

  const change = (value: string) => {
    setText(value);
    if (problem) setProblem(null);
    if (!onTyping) return;
    if (value.trim() === '') return stopTyping();
    const now = Date.now();
    if (now - lastTyping.current >= TYPING_REPEAT_MS) {
      lastTyping.current = now;
      onTyping(true);
    }
    clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (disabled) return;
    const found = problemOf(text);
    if (found) {
      setProblem((t) => t(`composer.${found}`, { max: Limits.bodyMaxCodePoints }));
      input.current?.focus();
      return;
    }
    try {
      onSend(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      setProblem(() => message);
      return;
    }
    stopTyping();
    setText('');
    input.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends on devices with a keyboard; on touch screens the Send button does, and the
    // on-screen key (its default label, not "Send") starts a new line.
    const coarse = typeof window.matchMedia === 'function' && window.matchMedia('(pointer: coarse)').matches;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing && !coarse) {
      event.preventDefault();
      submit();
    }
  };

  const length = codePointLength(text.trim());
  const nearLimit = length > Limits.bodyMaxCodePoints - 500;

  return (
    <form className="composer" onSubmit={submit}>
      {disabled && disabledReason ? <p className="composer__disabled">{disabledReason}</p> : null}
      <div className="composer__row">
        <label className="sr-only" htmlFor={`${errorId}-input`}>
          {label}
        </label>
        <textarea
          id={`${errorId}-input`}
          ref={input}
          className="composer__input"
          rows={1}
          value={text}
          placeholder={t('composer.placeholder')}
          onChange={(e) => change(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={stopTyping}
          disabled={disabled}
          aria-invalid={problem ? true : undefined}
          aria-describedby={[problem ? errorId : null, nearLimit ? countId : null].filter(Boolean).join(' ') || undefined}
        />
        <button type="submit" className="btn btn--primary composer__send" disabled={disabled}>
          {t('composer.send')}
        </button>
      </div>
      {nearLimit ? (
        <p id={countId} className={`composer__count${length > Limits.bodyMaxCodePoints ? ' composer__count--over' : ''}`}>
          {t('composer.count', { n: length, max: Limits.bodyMaxCodePoints })}
        </p>
      ) : null}
      {problem ? (
        <p id={errorId} className="composer__error" role="alert">
          {problem(t)}
        </p>
      ) : null}
    </form>
  );
}
