import { Controller, Get, Param, Query } from '@nestjs/common';
import { historyQuerySchema, idParamSchema, type HistoryPage, type HistoryQuery } from '@bellhop/protocol';
import { ZodPipe } from '../../common/zod.pipe.js';
import { Auth, VerifiedClaims } from '../auth/auth.decorators.js';
import type { AccessClaims } from '../auth/tokens.js';
import { MessagesService } from './messages.service.js';

@Controller('api/conversations')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /**
   * History pages: staff, or the guest of that stay (anyone else gets 404). The hottest read: the
   * session is read in the page's own statement.
   */
  @Get(':id/messages')
  @Auth({ audience: 'any', session: 'in-handler' })
  history(
    @VerifiedClaims() claims: AccessClaims,
    @Param(new ZodPipe(idParamSchema)) params: { id: string },
    @Query(new ZodPipe(historyQuerySchema)) query: HistoryQuery,
  ): Promise<HistoryPage> {
    return this.messages.history(claims, params.id, query);
  }
}
