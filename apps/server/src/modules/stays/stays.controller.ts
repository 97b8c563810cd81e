import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  type CreateStayRequest,
  type CreateStayResponse,
  type ListStaysQuery,
  type Stay,
  type StayList,
  createStayRequestSchema,
  emptyBodySchema,
  idParamSchema,
  listStaysQuerySchema,
} from '@bellhop/protocol';
import type { StaffActor } from '../../common/actor.js';
import { ZodPipe } from '../../common/zod.pipe.js';
import { Auth, CurrentActor } from '../auth/auth.decorators.js';
import { StaysService } from './stays.service.js';

@Controller('api/stays')
@Auth({ audience: 'staff' })
export class StaysController {
  constructor(private readonly stays: StaysService) {}

  @Post()
  @HttpCode(201)
  create(@CurrentActor() actor: StaffActor, @Body(new ZodPipe(createStayRequestSchema)) body: CreateStayRequest): Promise<CreateStayResponse> {
    return this.stays.create(actor, body);
  }

  @Get()
  async list(@CurrentActor() actor: StaffActor, @Query(new ZodPipe(listStaysQuerySchema)) query: ListStaysQuery): Promise<StayList> {
    return { items: await this.stays.list(actor, query.status) };
  }

  @Post(':id/checkout')
  @HttpCode(200)
  checkOut(
    @CurrentActor() actor: StaffActor,
    @Param(new ZodPipe(idParamSchema)) params: { id: string },
    // No body: one with a field in it is refused like any unknown field.
    @Body(new ZodPipe(emptyBodySchema)) _body: unknown,
  ): Promise<Stay> {
    return this.stays.checkOut(actor, params.id);
  }
}
