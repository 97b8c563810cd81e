import type { Message, SessionReady } from '@bellhop/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../lib/api';
import type { OutboxEntry, RealtimeClient } from '../../lib/realtime';
import { mergeMessages } from './messages';

export interface Participant {
  type: 'guest' | 'staff';
  id: string;
}

export interface ConversationView {
  messages: Message[];
  pending: OutboxEntry[];
  hasMore: boolean;
  loading: boolean;
  loadingOlder: boolean;
  /** The last request for older messages failed (no automatic retry until asked). */
  olderFailed: boolean;
  error: unknown;
  /** Highest seq the other side has read: from the server on (re)load, then live. */
  otherReadSeq: number;
  /** Name of the other side while they type. */
  typing: string | null;
  loadOlder(): void;
  reload(): void;
  /** Throws BodyError for a body the server would refuse. */
  send(text: string): void;
  retry(clientMsgId: string): void;
  discard(clientMsgId: string): void;
}

const PAGE = 50;
const TYPING_TIMEOUT_MS = 6_000;

/** For a guest: how far staff have read its conversation, as `session.ready` said. */
function staffReadFrom(ready: SessionReady | null, conversationId: string): number {
  return ready?.conversations.find((c) => c.id === conversationId)?.staffReadSeq ?? 0;
}

/**
 * One conversation: the newest page over HTTP, older pages on demand (keyset paging with
 * `before`), then live messages and resume through the socket client. The other side's read
 * position comes from the server (`knownOtherReadSeq` for staff, from the conversation summary;
 * `session.ready` for a guest) and then from live `conversation.read` frames.
 */
export function useConversation(client: RealtimeClient, conversationId: string, self: Participant, knownOtherReadSeq?: number): ConversationView {
  const [messages, setMessages] = useState<Message[]>([]);
  const [pending, setPending] = useState<OutboxEntry[]>(() => client.pending(conversationId));
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderFailed, setOlderFailed] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const initialOtherRead = () => Math.max(knownOtherReadSeq ?? 0, self.type === 'guest' ? staffReadFrom(client.session, conversationId) : 0);
  const [otherReadSeq, setOtherReadSeq] = useState(initialOtherRead);
  const initialOtherReadRef = useRef(initialOtherRead);
  initialOtherReadRef.current = initialOtherRead;
  const [typing, setTyping] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const messagesRef = useRef(messages);
  messagesRef.current = messages;
  const olderInFlight = useRef(false);
  /** Bumped on every (re)load: an older page asked for before it is dropped. */
  const loadRound = useRef(0);

  useEffect(() => {
    let cancelled = false;
    setMessages([]);
    setLoading(true);
    setError(null);
    setOlderFailed(false);
    setLoadingOlder(false);
    olderInFlight.current = false;
    loadRound.current++;
    setTyping(null);
    setOtherReadSeq(initialOtherReadRef.current());
    setPending(client.pending(conversationId));

    const offMessage = client.on('message', ({ message }) => {
      if (message.conversationId !== conversationId) return;
      setMessages((current) => mergeMessages(current, [message]));
      if (message.sender.type !== self.type) setTyping(null);
    });
    const offOutbox = client.on('outbox', (entries) => {
      setPending(entries.filter((e) => e.conversationId === conversationId));
    });
    const offRead = client.on('read', ({ conversationId: id, reader, seq }) => {
      if (id !== conversationId || reader.type === self.type) return;
      setOtherReadSeq((current) => Math.max(current, seq));
    });
    // Every (re)connect: a guest learns how far staff have read meanwhile.
    const offReady = client.on('ready', (ready) => {
      if (self.type !== 'guest') return;
      const seq = staffReadFrom(ready, conversationId);
      setOtherReadSeq((current) => Math.max(current, seq));
    });
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    const offTyping = client.on('typing', ({ conversationId: id, who, active }) => {
      if (id !== conversationId || who.type === self.type) return;
      clearTimeout(typingTimer);
      setTyping(active ? who.name : null);
      if (active) typingTimer = setTimeout(() => setTyping(null), TYPING_TIMEOUT_MS);
    });

    api.history(conversationId, undefined, PAGE).then(
      (page) => {
        if (cancelled) return;
        setMessages((current) => mergeMessages(current, page.messages));
        setHasMore(page.hasMore);
        setLoading(false);
        const lastSeq = page.messages[page.messages.length - 1]?.seq ?? 0;
        client.watch(conversationId, lastSeq);
      },
      (err: unknown) => {
        if (cancelled) return;
        setError(err);
        setLoading(false);
      },
    );

    return () => {
      cancelled = true;
      clearTimeout(typingTimer);
      offMessage();
      offOutbox();
      offRead();
      offReady();
      offTyping();
      client.unwatch(conversationId);
    };
  }, [client, conversationId, self.type, generation]);

  // A newer summary (staff: `conversation.updated`, a fetched page) may know of further reads.
  useEffect(() => {
    if (knownOtherReadSeq) setOtherReadSeq((current) => Math.max(current, knownOtherReadSeq));
  }, [knownOtherReadSeq]);

  const loadOlder = useCallback(() => {
    const first = messagesRef.current[0];
    if (!first || olderInFlight.current) return;
    olderInFlight.current = true;
    setLoadingOlder(true);
    setOlderFailed(false);
    const round = loadRound.current;
    api.history(conversationId, first.seq, PAGE).then(
      (page) => {
        if (round !== loadRound.current) return;
        olderInFlight.current = false;
        setMessages((current) => mergeMessages(current, page.messages));
        setHasMore(page.hasMore);
        setLoadingOlder(false);
      },
      () => {
        if (round !== loadRound.current) return;
        olderInFlight.current = false;
        setLoadingOlder(false);
        setOlderFailed(true);
      },
    );
  }, [conversationId]);

  const send = useCallback(
    (text: string) => {
      client.send(conversationId, text);
      client.typing(conversationId, false);
    },
    [client, conversationId],
  );

  return {
    messages,
    pending,
    hasMore,
    loading,
    loadingOlder,
    olderFailed,
    error,
    otherReadSeq,
    typing,
    loadOlder,
    reload: () => setGeneration((g) => g + 1),
    send,
    retry: (id) => client.retry(id),
    discard: (id) => client.discard(id),
  };
}
