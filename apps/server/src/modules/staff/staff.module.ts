import { Module } from '@nestjs/common';
import { StaffController, StaffDirectoryController } from './staff.controller.js';
import { StaffRepository } from './staff.repository.js';
import { BANNER_OUT, type BannerOut, StaffService } from './staff.service.js';

@Module({
  controllers: [StaffDirectoryController, StaffController],
  providers: [
    StaffRepository,
    StaffService,
    { provide: BANNER_OUT, useValue: ((text: string) => process.stdout.write(text)) satisfies BannerOut },
  ],
  exports: [StaffService],
})
export class StaffModule {}
