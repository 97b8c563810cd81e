import { Module } from '@nestjs/common';
import { StaysController } from './stays.controller.js';
import { DEFAULT_STAYS_JOBS_INTERVAL_MS, STAYS_JOBS_INTERVAL_MS, StaysJobs } from './stays.jobs.js';
import { StaysRepository } from './stays.repository.js';
import { StaysService } from './stays.service.js';

@Module({
  controllers: [StaysController],
  providers: [
    StaysRepository,
    StaysService,
    StaysJobs,
    { provide: STAYS_JOBS_INTERVAL_MS, useValue: DEFAULT_STAYS_JOBS_INTERVAL_MS },
  ],
  exports: [StaysService],
})
export class StaysModule {}
