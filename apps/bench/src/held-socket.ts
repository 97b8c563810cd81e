import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEADER_END = Buffer.from('\r\n\r\n');

const Opcode = { Close: 0x8, Ping: 0x9, Pong: 0xa } as const;
type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** How long the server is given to close the TCP connection after the closing handshake. */
const SERVER_CLOSE_WAIT_MS = 5_000;

/** How an open failed: the server's HTTP status, or the socket's error code. */
export type OpenFailure = { status: number } | { error: string };

/**
 * A WebSocket client socket that is only opened, held and closed: the connections phase. The
 * handshake is written by hand over a TCP socket, because the `ws` client goes through Node's HTTP
 * client and costs the load generator 0.3–0.4 ms of CPU per connect, more than the server spends
 * on accepting it: on two cores shared with the server, the ramp measured the load generator. It
 * checks what a client must (status 101, Sec-WebSocket-Accept, the subprotocol selected), then
 * reads frames only to answer pings and a close. The sockets that send and time messages use `ws`.
 */
export class HeldSocket {
  private buffered: Buffer | undefined;
  private closing = false;
  private closedCode: number | undefined;

  private constructor(
    private readonly socket: net.Socket,
    /** Called once when the socket closes, with the close code received (1006: none). */
    private readonly onClose: (code: number) => void,
  ) {}

  get closed(): boolean {
    return this.closedCode !== undefined;
  }

  /** Opens a socket to `url` offering `protocols` (the first must be selected), or says why not. */
  static open(url: string, protocols: string[], localAddress: string | undefined, timeoutMs: number, onClose: (code: number) => void): Promise<HeldSocket | OpenFailure> {
    const target = new URL(url);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
    return new Promise((resolve) => {
      const socket = net.connect({ host: target.hostname, port: Number(target.port), localAddress });
      socket.setNoDelay(true);
      let head: Buffer = Buffer.alloc(0);
      // Only these listeners are removed afterwards: net.Socket listens to its own 'end' (a write
      // after the server's FIN then fails instead of going out).
      const onError = (err: NodeJS.ErrnoException): void => fail({ error: err.code ?? err.message.slice(0, 60) });
      const onClosed = (): void => fail({ error: 'closed during the handshake' });
      const stopListening = (): void => {
        clearTimeout(timer);
        socket.off('data', onHead);
        socket.off('error', onError);
        socket.off('close', onClosed);
      };
      const fail = (failure: OpenFailure): void => {
        stopListening();
        socket.on('error', () => undefined);
        socket.destroy();
        resolve(failure);
      };
      const timer = setTimeout(() => fail({ error: 'handshake timeout' }), timeoutMs);
      const onHead = (chunk: Buffer): void => {
        head = head.length ? Buffer.concat([head, chunk]) : chunk;
        const end = head.indexOf(HEADER_END);
        if (end < 0) return;
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0])?.[1] ?? 0);
        const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        if (status !== 101) return fail({ status });
        if (headers.get('sec-websocket-accept') !== accept) return fail({ error: 'wrong Sec-WebSocket-Accept' });
        if (headers.get('sec-websocket-protocol') !== protocols[0]) return fail({ error: 'subprotocol not selected' });
        stopListening();
        const held = new HeldSocket(socket, onClose);
        socket.on('data', (data: Buffer) => held.read(data));
        socket.on('error', () => socket.destroy());
        socket.on('close', () => held.ended(1006));
        held.read(head.subarray(end + HEADER_END.length));
        resolve(held);
      };
      socket.on('data', onHead);
      socket.once('error', onError);
      socket.once('close', onClosed);
      socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocols.join(', ')}\r\n\r\n`,
      );
    });
  }

  /** Sends a close (1000) and resolves when the server has closed too, or after `timeoutMs`. */
  close(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.sendClose(1000);
    });
  }

  private sendClose(code: number): void {
    if (this.closing) return;
    this.closing = true;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.send(Opcode.Close, payload);
  }

  /** A masked frame, as a client must send (control frames only here: payload under 126 bytes). */
  private send(opcode: Opcode, payload: Buffer): void {
    const frame = Buffer.alloc(6 + payload.length);
    frame[0] = 0x80 | opcode;
    frame[1] = 0x80 | payload.length;
    randomBytes(4).copy(frame, 2);
    for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ frame[2 + (i & 3)];
    this.socket.write(frame);
  }

  /** Server frames are unmasked; data frames are skipped, pings answered, a close answered and ended. */
  private read(data: Buffer): void {
    let buf = this.buffered ? Buffer.concat([this.buffered, data]) : data;
    this.buffered = undefined;
    while (buf.length >= 2) {
      const opcode = buf[0] & 0x0f;
      let length = buf[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buf.length < 4) break;
        length = buf.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buf.length < 10) break;
        length = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      if (buf.length < offset + length) break;
      const payload = buf.subarray(offset, offset + length);
      if (opcode === Opcode.Ping) this.send(Opcode.Pong, payload);
      else if (opcode === Opcode.Close) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.sendClose(code === 1005 ? 1000 : code);
        // The server closes the TCP connection first, as RFC 6455 (7.1.1) asks of it.
        const timer = setTimeout(() => this.socket.destroy(), SERVER_CLOSE_WAIT_MS);
        this.socket.once('close', () => clearTimeout(timer));
        this.ended(code);
        return;
      }
      buf = buf.subarray(offset + length);
    }
    if (buf.length > 0) this.buffered = Buffer.from(buf);
  }

  private ended(code: number): void {
    if (this.closedCode !== undefined) return;
    this.closedCode = code;
    this.onClose(code);
  }
}
