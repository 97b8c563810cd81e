import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { EventBus } from '../../common/event-bus.js';
import { LOGGER } from '../../common/logger.js';
import { AuthRepository, type SubjectType } from './auth.repository.js';

/** Why a session ended (stored in `sessions.end_reason`). */
export const SessionEndReason = {
  Logout: 'logout',
  RefreshReuse: 'refresh_reuse',
  Disabled: 'disabled',
  PasswordChanged: 'password_changed',
  CheckedOut: 'checked_out',
} as const;
export type SessionEndReason = (typeof SessionEndReason)[keyof typeof SessionEndReason];

/**
 * Ends sessions: from then on their refresh and access tokens are refused (the guard reads the
 * session on every request) and every instance closes their sockets on `sessions.ended`.
 */
@Injectable()
export class SessionsService {
  private readonly logger: Logger;

  constructor(
    private readonly repo: AuthRepository,
    @Inject(LOGGER) logger: Logger,
    private readonly bus: EventBus,
  ) {
    this.logger = logger.child({ component: 'sessions' });
  }

  /**
   * Ends every open session of a staff member or a stay. Inside `tx`, the end and its event
   * happen only if that transaction commits.
   */
  async endSubjectSessions(subjectType: SubjectType, subjectId: string, reason: SessionEndReason, tx?: EntityManager): Promise<string[]> {
    const run = async (m: EntityManager) => {
      const ids = await this.repo.endSessionsOfSubject(m, subjectType, subjectId, reason);
      await this.announce(ids, reason, m);
      return ids;
    };
    return tx ? run(tx) : this.repo.transaction(run);
  }

  async endSessions(sessionIds: string[], reason: SessionEndReason, tx?: EntityManager): Promise<string[]> {
    const run = async (m: EntityManager) => {
      const ids = await this.repo.endSessionsById(m, sessionIds, reason);
      await this.announce(ids, reason, m);
      return ids;
    };
    return tx ? run(tx) : this.repo.transaction(run);
  }

  private async announce(ids: string[], reason: SessionEndReason, tx: EntityManager): Promise<void> {
    if (ids.length === 0) return;
    this.logger.info({ sessions: ids.length, reason }, 'sessions ended');
    await this.bus.publish({ type: 'sessions.ended', sessionIds: ids }, tx);
  }
}
