import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { type CreateStayRequest, type CreateStayResponse, type Stay, type StayListItem, type StayStatus, formatJoinCode } from '@bellhop/protocol';
import type { StaffActor } from '../../common/actor.js';
import { EventBus } from '../../common/event-bus.js';
import { LOGGER } from '../../common/logger.js';
import { isUniqueViolation } from '../../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { SessionEndReason, SessionsService } from '../auth/sessions.service.js';
import { foldFamilyName } from './family-name.js';
import { generateJoinCode } from './join-code.js';
import { localDate } from './local-date.js';
import { StaysException } from './stays.exception.js';
import { ACTIVE_ROOM_KEY, type ListedStayRow, type StayRow, StaysRepository } from './stays.repository.js';

export function toStay(row: StayRow): Stay {
  return {
    id: row.id,
    guestName: row.guest_name,
    familyName: row.family_name,
    roomNumber: row.room_number,
    checkIn: row.check_in,
    checkOut: row.check_out,
    status: row.status,
    conversationId: row.conversation_id,
  };
}

/** Who checked a stay out: a staff member, or the overdue-stay job. */
export type CheckoutBy = StaffActor | { type: 'system' };

// A collision among 32^8 codes is rare; several in a row would mean something else is wrong.
const JOIN_CODE_ATTEMPTS = 5;

@Injectable()
export class StaysService {
  private readonly logger: Logger;

  constructor(
    private readonly repo: StaysRepository,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    private readonly bus: EventBus,
  ) {
    this.logger = logger.child({ component: 'stays' });
  }

  /** Checks a guest in: the stay, its join code and its conversation, in one transaction. */
  async create(actor: StaffActor, input: CreateStayRequest): Promise<CreateStayResponse> {
    const checkIn = input.checkIn ?? localDate(new Date());
    if (checkIn > input.checkOut) {
      throw StaysException.invalid([`checkOut: must not be before checkIn (${checkIn}, today at the hotel)`]);
    }
    try {
      // The answer is read in the transaction that writes it: a failure after COMMIT would answer an
      // error for a check-in that happened, and its retry would find the room occupied.
      const { stay, joinCode } = await this.repo.transaction(async (tx) => {
        if (await this.repo.roomHasActiveStay(tx, input.roomNumber)) throw StaysException.roomOccupied(input.roomNumber);
        for (let attempt = 0; attempt < JOIN_CODE_ATTEMPTS; attempt++) {
          const code = generateJoinCode();
          const id = await this.repo.insertStay(tx, {
            guestName: input.guestName,
            familyName: input.familyName,
            familyNameKey: foldFamilyName(input.familyName),
            roomNumber: input.roomNumber,
            checkIn,
            checkOut: input.checkOut,
            joinCode: code,
          });
          if (!id) continue;
          const conversationId = await this.repo.insertConversation(tx, id);
          await this.bus.publish({ type: 'conversation.changed', conversationId }, tx);
          return { stay: (await this.repo.find(id, tx))!, joinCode: code };
        }
        throw new Error('could not draw an unused join code');
      });
      this.logger.info({ stayId: stay.id, conversationId: stay.conversation_id, by: actor.id }, 'guest checked in');
      return { stay: toStay(stay), ...this.joinCard(joinCode) };
    } catch (err) {
      if (isUniqueViolation(err, ACTIVE_ROOM_KEY)) throw StaysException.roomOccupied(input.roomNumber);
      throw err;
    }
  }

  /** Active stays come with their join code and link, so the front desk can reprint the card. */
  async list(_actor: StaffActor, status: StayStatus): Promise<StayListItem[]> {
    return (await this.repo.list(status)).map((row: ListedStayRow) => {
      const stay = toStay(row);
      // A checked-out stay's code no longer lets anyone in: it is not handed out again.
      return stay.status === 'active' ? { ...stay, ...this.joinCard(row.join_code) } : stay;
    });
  }

  /** The code as shown (`ABCD-EFGH`) and the link of its QR code. */
  private joinCard(code: string): { joinCode: string; joinUrl: string } {
    const joinCode = formatJoinCode(code.trim());
    return { joinCode, joinUrl: `${this.config.publicUrl}/join/${joinCode}` };
  }

  /**
   * Checks a stay out: its sessions end (tokens refused, sockets closed) and its conversation is
   * resolved, all in one transaction with the events that announce it.
   */
  async checkOut(by: CheckoutBy, id: string): Promise<Stay> {
    const row = await this.repo.transaction(async (tx: EntityManager) => {
      const status = await this.repo.lockStatus(tx, id);
      if (status === undefined) throw StaysException.notFound();
      if (status === 'checked_out') throw StaysException.alreadyCheckedOut();
      await this.repo.markCheckedOut(tx, id);
      // This update also orders check-out and sends, which lock the conversation only
      // (bellhop_send_batch): a send that locked it first is stored before the check-out; one that
      // comes after waits for this transaction and then sees the stay checked out.
      const conversationId = await this.repo.resolveConversation(tx, id);
      await this.sessions.endSubjectSessions('guest', id, SessionEndReason.CheckedOut, tx);
      await this.bus.publish({ type: 'conversation.changed', conversationId }, tx);
      return (await this.repo.find(id, tx))!;
    });
    this.logger.info({ stayId: id, by: by.type === 'system' ? 'system' : by.id }, 'guest checked out');
    return toStay(row);
  }
}
