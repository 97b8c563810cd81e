import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  type CreateStaffRequest,
  type StaffDirectory,
  type StaffList,
  type StaffUser,
  type UpdateStaffRequest,
  createStaffRequestSchema,
  idParamSchema,
  updateStaffRequestSchema,
} from '@bellhop/protocol';
import type { StaffActor } from '../../common/actor.js';
import { ZodPipe } from '../../common/zod.pipe.js';
import { Auth, CurrentActor } from '../auth/auth.decorators.js';
import { StaffService } from './staff.service.js';

/** The colleagues' names for every staff member; the accounts themselves stay with admins. */
@Controller('api/staff/directory')
@Auth({ audience: 'staff' })
export class StaffDirectoryController {
  constructor(private readonly staff: StaffService) {}

  @Get()
  async directory(@CurrentActor() actor: StaffActor): Promise<StaffDirectory> {
    return { items: await this.staff.directory(actor) };
  }
}

@Controller('api/staff')
@Auth({ audience: 'staff', role: 'admin' })
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Get()
  async list(@CurrentActor() actor: StaffActor): Promise<StaffList> {
    return { items: await this.staff.list(actor) };
  }

  @Post()
  @HttpCode(201)
  create(@CurrentActor() actor: StaffActor, @Body(new ZodPipe(createStaffRequestSchema)) body: CreateStaffRequest): Promise<StaffUser> {
    return this.staff.create(actor, body);
  }

  @Patch(':id')
  update(
    @CurrentActor() actor: StaffActor,
    @Param(new ZodPipe(idParamSchema)) params: { id: string },
    @Body(new ZodPipe(updateStaffRequestSchema)) body: UpdateStaffRequest,
  ): Promise<StaffUser> {
    return this.staff.update(actor, params.id, body);
  }
}
