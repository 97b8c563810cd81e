import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Message } from '@bellhop/protocol';
import { commitDeadlineMs } from '../../database/data-source.js';
import { MetricsService } from '../health/metrics.service.js';
import type { MessagesRepository, SendOutcome, SendRequest } from './messages.repository.js';
import { MessagesService } from './messages.service.js';
import type { SearchIndexJobs } from './search-index.jobs.js';
import type { AuthService } from '../auth/auth.service.js';
import type { ConversationsService } from '../conversations/conversations.service.js';

// The database's clock cannot be set from a test: a repository that answers for a database whose
// clock is `skewMs` ahead of this process's, and records the deadlines it is given.
function clockedRepository(skewMs: number) {
  const deadlines: number[] = [];
  const repo = {
    databaseNow: async () => Date.now() + skewMs,
    commitBatch: async (requests: SendRequest[], deadline: Date): Promise<SendOutcome[]> => {
      deadlines.push(deadline.getTime());
      return requests.map((r, i) => ({
        kind: 'stored',
        message: { id: randomUUID(), conversationId: r.conversationId, seq: i + 1, clientMsgId: r.clientMsgId, sender: r.sender, body: r.body, createdAt: new Date().toISOString() } as Message,
      }));
    },
  };
  return { repo: repo as unknown as MessagesRepository, deadlines };
}

describe('MessagesService send deadlines', () => {
  const statementTimeoutMs = 10_000;
  const staff = { type: 'staff', id: randomUUID(), sessionId: randomUUID(), role: 'agent', name: 'Ann' } as const;

  async function deadlineSent(skewMs: number): Promise<number> {
    const { repo, deadlines } = clockedRepository(skewMs);
    const service = new MessagesService(
      repo,
      {} as ConversationsService,
      new MetricsService(),
      { noteStored: () => undefined } as unknown as SearchIndexJobs,
      {} as AuthService,
      { databaseStatementTimeoutMs: statementTimeoutMs },
      pino({ level: 'silent' }),
    );
    await service.onApplicationBootstrap();
    try {
      const sentAt = Date.now();
      await service.send(staff, { conversationId: randomUUID(), clientMsgId: randomUUID(), body: 'hello' });
      return deadlines[0]! - sentAt;
    } finally {
      service.onModuleDestroy();
    }
  }

  it('gives each batch a deadline a second before the server stops waiting for its answer', async () => {
    const ahead = await deadlineSent(0);
    expect(ahead).toBeGreaterThanOrEqual(commitDeadlineMs(statementTimeoutMs) - 50);
    expect(ahead).toBeLessThanOrEqual(commitDeadlineMs(statementTimeoutMs) + 50);
  });

  it("gives it in the database's clock, measured at start-up", async () => {
    // A database clock 30 s ahead would otherwise refuse every batch as too late.
    const ahead = await deadlineSent(30_000);
    expect(ahead).toBeGreaterThanOrEqual(30_000 + commitDeadlineMs(statementTimeoutMs) - 50);
    expect(ahead).toBeLessThanOrEqual(30_000 + commitDeadlineMs(statementTimeoutMs) + 50);
  });
});
