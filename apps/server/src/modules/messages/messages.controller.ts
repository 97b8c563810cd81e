import { Controller, Get, Param, Query } from '@nestjs/common';
import { historyQuerySchema, idParamSchema, type HistoryPage, type HistoryQuery } from '@bellhop/protocol';
import type { Actor } from '../../common/actor.js';
import { ZodPipe } from '../../common/zod.pipe.js';
import { Auth, CurrentActor } from '../auth/auth.decorators.js';
import { MessagesService } from './messages.service.js';

@Controller('api/conversations')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /** History pages: staff, or the guest of that stay (anyone else gets 404). */
  @Get(':id/messages')
  @Auth({ audience: 'any' })
  history(
    @CurrentActor() actor: Actor,
    @Param(new ZodPipe(idParamSchema)) params: { id: string },
    @Query(new ZodPipe(historyQuerySchema)) query: HistoryQuery,
  ): Promise<HistoryPage> {
    return this.messages.history(actor, params.id, query);
  }
}
