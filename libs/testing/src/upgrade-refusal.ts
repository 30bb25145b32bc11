import type { Socket } from 'node:net';

/** Reason phrases (RFC 9110 §15) for the statuses the WebSocket fakes refuse upgrades with. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface UpgradeRefusal {
  readonly status: number;
  readonly reason: string;
  /** JSON text of the vendor's error body. */
  readonly body: string;
  /** Extra `name: value` header lines, written after `content-length`. */
  readonly headers?: readonly string[];
  /** Seconds, sent as a `retry-after` header. */
  readonly retryAfter?: number;
}

/**
 * Refuses a WebSocket upgrade: the request never reached ws, so the fake writes a whole HTTP/1.1 error response on
 * the raw socket itself and ends it (`connection: close`).
 */
export function refuseUpgrade(socket: Socket, refusal: UpgradeRefusal): void {
  const lines = [
    `HTTP/1.1 ${refusal.status} ${refusal.reason}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(refusal.body)}`,
    ...(refusal.headers ?? []),
    ...(refusal.retryAfter !== undefined ? [`retry-after: ${refusal.retryAfter}`] : []),
    'connection: close',
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${refusal.body}`);
}
