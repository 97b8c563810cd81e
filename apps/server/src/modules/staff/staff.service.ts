import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { CreateStaffRequest, StaffDirectoryEntry, StaffUser, UpdateStaffRequest } from '@bellhop/protocol';
import type { StaffActor } from '../../common/actor.js';
import { EventBus } from '../../common/event-bus.js';
import { isUniqueViolation } from '../../common/sql.js';
import { LOGGER } from '../../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { PasswordService } from '../auth/password.service.js';
import { SessionEndReason, SessionsService } from '../auth/sessions.service.js';
import { StaffException } from './staff.exception.js';
import { StaffRepository, type StaffRow, USERNAME_KEY } from './staff.repository.js';

export function toStaffUser(row: StaffRow): StaffUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

// Names sort as people expect (case and accents aside, digits as numbers), the same whatever the
// database's collation; exact ties fall back to code units, then ids, so the order is stable.
const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
const codeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The staff directory's order: by `displayName`. */
export function compareDirectoryEntries(a: StaffDirectoryEntry, b: StaffDirectoryEntry): number {
  return collator.compare(a.displayName, b.displayName) || codeUnits(a.displayName, b.displayName) || codeUnits(a.id, b.id);
}

/** Where the one-time banner with a generated admin password goes (stdout, outside the JSON logs). */
export const BANNER_OUT = Symbol('BANNER_OUT');
export type BannerOut = (text: string) => void;

@Injectable()
export class StaffService implements OnApplicationBootstrap {
  private readonly logger: Logger;

  constructor(
    private readonly repo: StaffRepository,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionsService,
    private readonly bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(BANNER_OUT) private readonly banner: BannerOut,
  ) {
    this.logger = logger.child({ component: 'staff' });
  }

  async list(_actor: StaffActor): Promise<StaffUser[]> {
    return (await this.repo.list()).map(toStaffUser);
  }

  /** Every active colleague, for naming and choosing assignees; open to any staff member. */
  async directory(_actor: StaffActor): Promise<StaffDirectoryEntry[]> {
    const rows = await this.repo.listActive();
    return rows
      .map((row) => ({ id: row.id, displayName: row.display_name, role: row.role }))
      .sort(compareDirectoryEntries);
  }

  async create(actor: StaffActor, input: CreateStaffRequest): Promise<StaffUser> {
    const passwordHash = await this.passwords.hash(input.password);
    try {
      const row = await this.repo.insert({ username: input.username, displayName: input.displayName, role: input.role, passwordHash });
      this.logger.info({ staffId: row.id, role: row.role, by: actor.id }, 'staff member created');
      return toStaffUser(row);
    } catch (err) {
      if (isUniqueViolation(err, USERNAME_KEY)) throw StaffException.usernameTaken();
      throw err;
    }
  }

  /**
   * A new password or `disabled: true` ends every session of the member, in the same transaction;
   * a new displayName reaches the member's open sockets (sender and typing names) through the bus.
   */
  async update(actor: StaffActor, id: string, input: UpdateStaffRequest): Promise<StaffUser> {
    const passwordHash = input.password === undefined ? undefined : await this.passwords.hash(input.password);
    const row = await this.repo.transaction(async (tx) => {
      // Taken before the row lock, in the same order everywhere, so two demotions cannot deadlock.
      if (input.role === 'agent' || input.disabled === true) await this.repo.lockAdmins(tx);
      const current = await this.repo.lock(tx, id);
      if (!current) throw StaffException.notFound();
      const losesAdmin = current.role === 'admin' && !current.disabled && (input.role === 'agent' || input.disabled === true);
      if (losesAdmin && (await this.repo.countOtherActiveAdmins(tx, id)) === 0) throw StaffException.lastAdmin();
      const updated = await this.repo.update(tx, id, {
        displayName: input.displayName,
        role: input.role,
        disabled: input.disabled,
        passwordHash,
      });
      if (input.displayName !== undefined && updated.display_name !== current.display_name) {
        await this.bus.publish({ type: 'staff.renamed', staffId: id, name: updated.display_name }, tx);
      }
      if (input.disabled === true && !current.disabled) {
        await this.sessions.endSubjectSessions('staff', id, SessionEndReason.Disabled, tx);
      } else if (passwordHash !== undefined) {
        await this.sessions.endSubjectSessions('staff', id, SessionEndReason.PasswordChanged, tx);
      }
      return updated;
    });
    this.logger.info(
      { staffId: id, by: actor.id, fields: Object.keys(input).filter((k) => input[k as keyof UpdateStaffRequest] !== undefined) },
      'staff member updated',
    );
    return toStaffUser(row);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdmin();
  }

  /**
   * With no admin at all, creates ADMIN_USERNAME/ADMIN_PASSWORD, or else `admin` with a random
   * password shown once in a banner on stdout (never in the logs).
   */
  async ensureAdmin(): Promise<void> {
    const configured = this.config.admin;
    if (await this.repo.transaction((tx) => this.repo.adminExists(tx))) return;
    const password = configured?.password ?? randomBytes(15).toString('base64url');
    const passwordHash = await this.passwords.hash(password);
    const created = await this.repo.transaction(async (tx) => {
      await this.repo.lockAdmins(tx);
      if (await this.repo.adminExists(tx)) return undefined;
      let username = configured?.username ?? 'admin';
      if (await this.repo.usernameExists(tx, username)) {
        if (configured) {
          this.logger.error({ username }, 'ADMIN_USERNAME belongs to an existing non-admin account; no admin was created');
          return undefined;
        }
        username = `admin-${randomBytes(3).toString('hex')}`;
      }
      return this.repo.insert({ username, displayName: 'Administrator', role: 'admin', passwordHash }, tx);
    });
    if (!created) return;
    this.logger.info({ staffId: created.id, username: created.username, generatedPassword: !configured }, 'first admin created');
    if (!configured) {
      const line = '='.repeat(64);
      this.banner(
        `\n${line}\n  Bellhop: the first admin account was created.\n\n    username: ${created.username}\n    password: ${password}\n\n  This password is shown once. Sign in and change it.\n${line}\n\n`,
      );
    }
  }
}
