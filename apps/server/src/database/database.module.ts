import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source.js';

/** The TypeORM data source for the app. Entities register themselves with TypeOrmModule.forFeature. */
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string, statementTimeoutMs: number): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(databaseUrl, [], statementTimeoutMs), autoLoadEntities: true, retryAttempts: 2, retryDelay: 1000 }),
        }),
      ],
    };
  }
}
