import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { HeldSocket, type OpenFailure } from './held-socket.js';

// HeldSocket against a real `ws` server: the server checks the masking and framing of what it sends.
describe('HeldSocket', () => {
  let http: Server;
  let wss: WebSocketServer;
  let url: string;
  let onConnection: (ws: WebSocket) => void;
  let forgeAccept = false;

  beforeAll(async () => {
    http = createServer();
    wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has('bellhop.v1') ? 'bellhop.v1' : false) });
    wss.on('headers', (headers) => {
      if (forgeAccept) headers.forEach((h, i) => h.startsWith('Sec-WebSocket-Accept') && (headers[i] = 'Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA='));
    });
    http.on('upgrade', (req, socket, head) => {
      if (req.url === '/refuse') return socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      // Accepted, then the connection ends without a close frame.
      if (req.url === '/drop') return wss.handleUpgrade(req, socket, head, () => socket.end());
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise((resolve) => http.close(resolve));
  });
  afterEach(() => {
    forgeAccept = false;
  });

  function serverSocket(): Promise<WebSocket> {
    return new Promise((resolve) => (onConnection = resolve));
  }

  async function open(path = '/ws', protocols = ['bellhop.v1', 'bearer.x'], onClose: (code: number) => void = () => undefined): Promise<HeldSocket | OpenFailure> {
    return HeldSocket.open(`${url}${path}`, protocols, undefined, 5_000, onClose);
  }

  it('opens with the subprotocol, answers pings across frames split over reads, and closes with 1000', async () => {
    const accepted = serverSocket();
    const held = await open();
    expect(held).toBeInstanceOf(HeldSocket);
    const ws = await accepted;
    expect(ws.protocol).toBe('bellhop.v1');
    // A frame with a 64-bit length (over 64 KiB, read in several chunks), then a ping: the pong
    // carries the ping's payload, masked as the server requires.
    ws.send('x'.repeat(70_000));
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping(Buffer.from('are you there'));
    expect((await pong).toString()).toBe('are you there');
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    await (held as HeldSocket).close(3_000);
    expect(await closed).toBe(1000);
    expect((held as HeldSocket).closed).toBe(true);
  });

  it('reports a close from the server with its code', async () => {
    const accepted = serverSocket();
    let code: number | undefined;
    const held = await open('/ws', ['bellhop.v1'], (c) => (code = c));
    const ws = await accepted;
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.close(4001, 'session ended');
    expect(await closed).toBe(4001);
    expect(code).toBe(4001);
    expect((held as HeldSocket).closed).toBe(true);
  });

  it('reports a connection ended without a close frame as 1006', async () => {
    let closed!: (code: number) => void;
    const code = new Promise<number>((resolve) => (closed = resolve));
    const held = await open('/drop', ['bellhop.v1'], (c) => closed(c));
    expect(held).toBeInstanceOf(HeldSocket);
    expect(await code).toBe(1006);
    expect((held as HeldSocket).closed).toBe(true);
  });

  it('reports a refused handshake by its status, and a wrong accept key or protocol as errors', async () => {
    expect(await open('/refuse')).toEqual({ status: 401 });
    forgeAccept = true;
    expect(await open()).toEqual({ error: 'wrong Sec-WebSocket-Accept' });
    forgeAccept = false;
    expect(await open('/ws', ['other.v1'])).toEqual({ error: 'subprotocol not selected' });
    expect(await HeldSocket.open('ws://127.0.0.1:1/ws', ['bellhop.v1'], undefined, 5_000, () => undefined)).toEqual({ error: 'ECONNREFUSED' });
  });
});
