import { Global, Module } from '@nestjs/common';
import { EventBus } from '../../common/event-bus.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { ClusterService } from './cluster.service.js';
import { ConnectionRegistry } from './connection-registry.js';
import { FanoutService } from './fanout.service.js';
import { PgEventBus } from './pg-event-bus.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RealtimeRepository } from './realtime.repository.js';
import { WsHandshakeService } from './ws-handshake.service.js';

/**
 * The WebSocket gateway, this instance's connection registry, and the bus that carries committed
 * events to every instance. Global: any module may publish on the EventBus.
 */
@Global()
@Module({
  imports: [MessagesModule, ConversationsModule],
  providers: [
    PgEventBus,
    { provide: EventBus, useExisting: PgEventBus },
    ConnectionRegistry,
    RealtimeRepository,
    ClusterService,
    FanoutService,
    WsHandshakeService,
    RealtimeGateway,
  ],
  exports: [EventBus],
})
export class RealtimeModule {}
