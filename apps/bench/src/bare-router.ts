/**
 * The yardstick: a minimal router on bare `ws` that speaks just enough of the protocol for the
 * workload (subprotocol handshake with a verified bearer token, `message.send` → `message.ack` to
 * the sender and `message.new` to every staff socket, `ping`) and stores nothing.
 *
 * Run as its own process: PORT and JWT_SECRET from the environment; prints "listening <port>".
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from '@bellhop/protocol';
import { verifyAccessToken, type AccessClaims } from './jwt.js';

interface Peer {
  claims: AccessClaims;
}

const secret = process.env.JWT_SECRET ?? '';
const port = Number(process.env.PORT ?? 0);
const heartbeatMs = 25_000;

const staff = new Set<WebSocket>();
const seqs = new Map<string, number>();
const peers = new WeakMap<WebSocket, Peer>();

function claimsOf(req: IncomingMessage): AccessClaims | undefined {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  if (!offered.includes(SUBPROTOCOL)) return undefined;
  const bearer = offered.find((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  return bearer ? verifyAccessToken(secret, bearer.slice(BEARER_SUBPROTOCOL_PREFIX.length)) : undefined;
}

const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
});
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 65_536,
  handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
});

http.on('upgrade', (req, socket, head) => {
  const claims = claimsOf(req);
  if (!claims) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    peers.set(ws, { claims });
    onConnection(ws, claims);
  });
});

function onConnection(ws: WebSocket, claims: AccessClaims): void {
  const isStaff = claims.aud === 'staff';
  if (isStaff) staff.add(ws);
  ws.send(
    JSON.stringify({
      event: 'session.ready',
      data: {
        user: { type: isStaff ? 'staff' : 'guest', id: claims.sub, name: isStaff ? 'Staff' : 'Guest', ...(isStaff ? { role: 'agent' } : {}) },
        serverTime: new Date().toISOString(),
        heartbeatMs,
        conversations: [],
      },
    }),
  );
  ws.on('message', (raw, isBinary) => onFrame(ws, raw.toString(), isBinary));
  ws.on('close', () => staff.delete(ws));
  ws.on('error', () => staff.delete(ws));
}

function sendError(ws: WebSocket, code: string, message: string, ref?: string): void {
  ws.send(JSON.stringify({ event: 'error', data: { code, message, ...(ref ? { ref } : {}) } }));
}

function onFrame(ws: WebSocket, text: string, isBinary: boolean): void {
  if (isBinary) return sendError(ws, 'bad_request', 'binary frames are not accepted');
  let frame: { event?: unknown; data?: Record<string, unknown> };
  try {
    frame = JSON.parse(text) as typeof frame;
  } catch {
    return sendError(ws, 'bad_request', 'frame is not valid JSON');
  }
  const data = frame.data ?? {};
  switch (frame.event) {
    case 'message.send': {
      const conversationId = String(data.conversationId);
      const clientMsgId = String(data.clientMsgId);
      const body = String(data.body ?? '').trim();
      const peer = peers.get(ws)!;
      const seq = (seqs.get(conversationId) ?? 0) + 1;
      seqs.set(conversationId, seq);
      const message = {
        id: randomUUID(),
        conversationId,
        seq,
        clientMsgId,
        sender: { type: peer.claims.aud === 'staff' ? 'staff' : 'guest', id: peer.claims.sub, name: 'Guest' },
        body,
        createdAt: new Date().toISOString(),
      };
      ws.send(JSON.stringify({ event: 'message.ack', data: { clientMsgId, message } }));
      const announce = JSON.stringify({ event: 'message.new', data: { message } });
      for (const s of staff) if (s !== ws) s.send(announce);
      return;
    }
    case 'ping':
      ws.send(JSON.stringify({ event: 'pong', data: { t: data.t, serverTime: new Date().toISOString() } }));
      return;
    default:
      return sendError(ws, 'unknown_event', `unknown event "${String(frame.event).slice(0, 64)}"`);
  }
}

http.listen(port, () => {
  const addr = http.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
