import { Body, Controller, Get, Param, Patch, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  idParamSchema,
  listConversationsQuerySchema,
  searchQuerySchema,
  transcriptQuerySchema,
  updateConversationRequestSchema,
  type ConversationPage,
  type ConversationSummary,
  type ListConversationsQuery,
  type SearchPage,
  type SearchQuery,
  type TranscriptQuery,
  type UpdateConversationRequest,
} from '@bellhop/protocol';
import type { Actor, StaffActor } from '../../common/actor.js';
import { ZodPipe } from '../../common/zod.pipe.js';
import { Auth, CurrentActor } from '../auth/auth.decorators.js';
import { ConversationsService } from './conversations.service.js';

@Controller('api')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get('conversations')
  @Auth({ audience: 'staff' })
  list(@CurrentActor() actor: StaffActor, @Query(new ZodPipe(listConversationsQuerySchema)) query: ListConversationsQuery): Promise<ConversationPage> {
    return this.conversations.list(actor, query);
  }

  @Get('conversations/:id')
  @Auth({ audience: 'any' })
  get(@CurrentActor() actor: Actor, @Param(new ZodPipe(idParamSchema)) params: { id: string }): Promise<ConversationSummary> {
    return this.conversations.get(actor, params.id);
  }

  @Patch('conversations/:id')
  @Auth({ audience: 'staff' })
  update(
    @CurrentActor() actor: StaffActor,
    @Param(new ZodPipe(idParamSchema)) params: { id: string },
    @Body(new ZodPipe(updateConversationRequestSchema)) body: UpdateConversationRequest,
  ): Promise<ConversationSummary> {
    return this.conversations.update(actor, params.id, body);
  }

  @Get('search')
  @Auth({ audience: 'staff' })
  search(@CurrentActor() actor: StaffActor, @Query(new ZodPipe(searchQuerySchema)) query: SearchQuery): Promise<SearchPage> {
    return this.conversations.search(actor, query);
  }

  @Get('conversations/:id/transcript')
  @Auth({ audience: 'any' })
  async transcript(
    @CurrentActor() actor: Actor,
    @Param(new ZodPipe(idParamSchema)) params: { id: string },
    @Query(new ZodPipe(transcriptQuerySchema)) query: TranscriptQuery,
    @Res() res: Response,
  ): Promise<void> {
    const t = await this.conversations.transcript(actor, params.id, query.format);
    res.setHeader('Content-Type', t.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${t.fileName}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).send(t.content);
  }
}
