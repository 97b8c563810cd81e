import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { ConversationsModule } from './modules/conversations/conversations.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { MessagesModule } from './modules/messages/messages.module.js';
import { RealtimeModule } from './modules/realtime/realtime.module.js';
import { StaffModule } from './modules/staff/staff.module.js';
import { StaysModule } from './modules/stays/stays.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, logger),
        DatabaseModule.forRoot(databaseUrl, config.databaseStatementTimeoutMs),
        RealtimeModule,
        AuthModule,
        StaffModule,
        StaysModule,
        ConversationsModule,
        MessagesModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
