import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesController } from './messages.controller.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesService } from './messages.service.js';
import { DEFAULT_SEARCH_INDEX_INTERVAL_MS, SEARCH_INDEX_INTERVAL_MS, SearchIndexJobs } from './search-index.jobs.js';

/** The durable, idempotent, ordered send (group commit) and history pages. */
@Module({
  imports: [ConversationsModule],
  controllers: [MessagesController],
  providers: [
    MessagesRepository,
    MessagesService,
    SearchIndexJobs,
    { provide: SEARCH_INDEX_INTERVAL_MS, useValue: DEFAULT_SEARCH_INDEX_INTERVAL_MS },
  ],
  exports: [MessagesService],
})
export class MessagesModule {}
