import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { Limits, SUBPROTOCOL } from '@bellhop/protocol';
import { WebSocketServer } from 'ws';
import { WsHandshakeService } from './ws-handshake.service.js';

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * WebSockets on the app's own HTTP server. Upgrades are authenticated before a socket exists
 * (WsHandshakeService), exactly `bellhop.v1` is selected, frames over 64 KiB close with 1009,
 * and frames are read by the gateway itself: the stock dispatch drops malformed JSON silently.
 */
export class BellhopWsAdapter extends WsAdapter {
  private readonly listeners: UpgradeListener[] = [];

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override create(_port: number, options?: { path?: string }): WebSocketServer {
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: Limits.frameMaxBytes,
      perMessageDeflate: false,
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    wss.on('error', () => undefined);
    const handshake = this.app.get(WsHandshakeService, { strict: false });
    const path = options?.path ?? '/ws';
    const listener: UpgradeListener = (req, socket, head) => void handshake.upgrade(wss, path, req, socket, head);
    (this.httpServer as Server).on('upgrade', listener);
    this.listeners.push(listener);
    return wss;
  }

  override bindMessageHandlers(): void {
    // Intentionally empty: RealtimeGateway reads frames itself.
  }

  override async dispose(): Promise<void> {
    for (const listener of this.listeners) (this.httpServer as Server).off('upgrade', listener);
    this.listeners.length = 0;
    await super.dispose();
  }
}
