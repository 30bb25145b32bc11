import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { BridgeConfig } from './config';
import { CsmSpeech } from './csm-speech';
import { handleHealth, handleReady, handleSynthesize, sendJson } from './http-routes';
import type { VoiceProfile } from './profiles';
import { BridgeSession } from './session';

export interface BridgeDeps {
  readonly logger: Logger;
  readonly profiles: ReadonlyMap<string, VoiceProfile>;
}

export interface Bridge {
  readonly server: Server;
  /** Listens on `port` (0: any free port) and resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /** Active WebSocket sessions by id. */
  readonly sessions: ReadonlyMap<string, BridgeSession>;
  /** Closes sessions (1001, waiting up to `graceMs` for the handshakes), stops the keepalive, drops every connection. */
  close(graceMs?: number): Promise<void>;
}

const WS_PATH = /^\/v1\/native\/ws\/([^/?#]+)$/;
/** Session ids are echoed in logs and keys: keep them printable and short (a call SID, a UUID...). */
const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** A synthesize message is at most 4000 characters of text plus a few fields (UTF-8: ≤ 4 bytes each). */
const MAX_MESSAGE_BYTES = 64 * 1024;

function refuse(socket: Duplex, status: number, reason: string, code: string): void {
  const body = JSON.stringify({ error: { code, message: reason } });
  socket.end(
    `HTTP/1.1 ${status} ${reason.split(':')[0]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The CSM bridge (the CSM WebSocket protocol, apps/csm-bridge/README.md): `WS /v1/native/ws/:sessionId`,
 * `POST /synthesize`, `GET /health`, `GET /ready`, in front of services/csm-gpu. One WebSocket ping per
 * `keepaliveMs` for every session from one timer (the `ws` heartbeat pattern); a client that missed the previous
 * pong is terminated.
 */
export function createBridge(config: BridgeConfig, deps: BridgeDeps): Bridge {
  const { logger, profiles } = deps;
  const speech = new CsmSpeech(config.csm, logger.child({ component: 'csm' }));
  const sessions = new Map<string, BridgeSession>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    const done = (p: Promise<void>): void => {
      p.catch((e: unknown) => {
        logger.error({ err: e, route }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error', retryable: false } });
        else res.destroy();
      });
    };
    if (route === 'GET /health') return done(handleHealth(res, speech, sessions.size));
    if (route === 'GET /ready') return done(handleReady(res, speech));
    if (route === 'POST /synthesize') return done(handleSynthesize(req, res, speech, profiles));
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${route}` } });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const match = WS_PATH.exec((req.url ?? '').split('?')[0] ?? '');
    if (!match) return refuse(socket, 404, 'Not Found', 'NOT_FOUND');
    let id = '';
    try {
      id = decodeURIComponent(match[1] ?? '');
    } catch {
      // a malformed %-escape: refused below like any other bad id
    }
    if (!SESSION_ID.test(id)) return refuse(socket, 400, 'Bad Request: invalid session id', 'BAD_SESSION_ID');
    // A session id is unique while active: a second socket would fight over one context, so refuse it.
    if (sessions.has(id)) return refuse(socket, 409, 'Conflict: session id already active', 'SESSION_DUPLICATE');
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (sessions.has(id)) return ws.close(1008, 'session id already active'); // lost a race with a twin upgrade
      const session = new BridgeSession(id, ws, {
        speech,
        profiles,
        maxContextSeconds: config.csm.maxContextSeconds,
        idleTimeoutMs: config.idleTimeoutMs,
        maxQueue: config.maxQueue,
        logger: logger.child({ session: id }),
        onClosed: () => {
          sessions.delete(id);
          logger.info({ session: id }, 'session closed');
        },
      });
      sessions.set(id, session);
      logger.info({ session: id }, 'session opened');
    });
  });

  const heartbeat = setInterval(() => {
    for (const session of sessions.values()) session.keepalive();
  }, config.keepaliveMs);

  return {
    server,
    sessions,
    listen(port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async close(graceMs = 1000) {
      clearInterval(heartbeat);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions.values()) s.shutdown();
      // Give clients a moment to answer the 1001 close, then cut whoever is left.
      const end = Date.now() + graceMs;
      while (wss.clients.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      speech.close();
      await closed;
    },
  };
}
