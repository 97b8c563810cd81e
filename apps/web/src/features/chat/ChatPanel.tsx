import type { Message } from '@bellhop/protocol';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RealtimeClient } from '../../lib/realtime';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNote } from '../../ui/ErrorNote';
import { Loading } from '../../ui/Loading';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { TypingIndicator } from './TypingIndicator';
import type { ConversationView, Participant } from './useConversation';

export interface ChatPanelProps {
  client: RealtimeClient;
  conversationId: string;
  view: ConversationView;
  self: Participant;
  senderLabel(message: Message): string;
  composerLabel: string;
  readOnlyReason?: string | null;
  empty?: ReactNode;
  /** After the read cursor moved (the newest message is on screen). */
  onRead?(seq: number): void;
}

/** Messages, typing line and composer of one conversation. */
export function ChatPanel({ client, conversationId, view, self, senderLabel, composerLabel, readOnlyReason, empty, onRead }: ChatPanelProps) {
  const { t } = useTranslation();
  return (
    <div className="chat">
      {view.loading ? (
        <div className="chat__state">
          <Loading label={t('chat.loading')} />
        </div>
      ) : view.error ? (
        <div className="chat__state">
          <ErrorNote
            action={
              <button type="button" className="btn" onClick={view.reload}>
                {t('common.retry')}
              </button>
            }
          >
            {t('chat.loadFailed')}
          </ErrorNote>
        </div>
      ) : (
        <MessageList
          messages={view.messages}
          pending={view.pending}
          self={self}
          otherReadSeq={view.otherReadSeq}
          hasMore={view.hasMore}
          loadingOlder={view.loadingOlder}
          olderFailed={view.olderFailed}
          onLoadOlder={view.loadOlder}
          onRetry={view.retry}
          onDiscard={view.discard}
          onSeenLatest={(seq) => {
            client.markRead(conversationId, seq);
            onRead?.(seq);
          }}
          senderLabel={senderLabel}
          empty={empty ?? <EmptyState title={t('chat.empty')} />}
        />
      )}
      <TypingIndicator name={view.typing} />
      <Composer
        label={composerLabel}
        onSend={view.send}
        onTyping={(active) => client.typing(conversationId, active)}
        disabled={Boolean(readOnlyReason)}
        disabledReason={readOnlyReason ?? undefined}
      />
    </div>
  );
}
