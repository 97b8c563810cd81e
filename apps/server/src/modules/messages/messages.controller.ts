import { Controller, Get, Param, Query } from '@nestjs/common';
import { historyQuerySchema, idParamSchema, type HistoryPage, type HistoryQuery } from '@bellhop/protocol';
import { ZodPipe } from '../../common/zod.pipe.js';
import { Auth, VerifiedClaims } from '../auth/auth.decorators.js';
import { AuthService } from '../auth/auth.service.js';
import type { AccessClaims } from '../auth/tokens.js';
import { MessagesService } from './messages.service.js';

const ID = new ZodPipe(idParamSchema);
const HISTORY_QUERY = new ZodPipe(historyQuerySchema);

@Controller('api/conversations')
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly auth: AuthService,
  ) {}

  /**
   * History pages: staff, or the guest of that stay (anyone else gets 404). The hottest read: the
   * session is read in the page's own statement.
   */
  @Get(':id/messages')
  @Auth({ audience: 'any', session: 'in-handler' })
  async history(@VerifiedClaims() claims: AccessClaims, @Param() params: unknown, @Query() query: unknown): Promise<HistoryPage> {
    let input: { id: string; query: HistoryQuery };
    try {
      input = { id: ID.transform(params).id, query: HISTORY_QUERY.transform(query) };
    } catch (err) {
      // As on every other route, an ended session hears 401 before a malformed request hears 400.
      await this.auth.authenticateClaims(claims);
      throw err;
    }
    return this.messages.history(claims, input.id, input.query);
  }
}
