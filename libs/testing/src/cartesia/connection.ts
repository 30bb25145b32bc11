import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { CartesiaContextSim, type ContextSettings } from './context-sim';
import type { CartesiaContextRecord, CartesiaContextScript, CartesiaFrameRecord } from './types';

/** Everything a connection shares with the server that accepted it. */
export interface ConnectionHooks {
  readonly settings: ContextSettings;
  readonly idleCloseMs: number;
  readonly contexts: Map<string, CartesiaContextRecord>;
  readonly frames: CartesiaFrameRecord[];
  readonly violations: string[];
  nextScript(contextId: string): CartesiaContextScript;
  sinceStartMs(): number;
  changed(): void;
}

/** One accepted socket as the tests see it. */
export interface FakeCartesiaConnection {
  readonly index: number;
  readonly headers: IncomingHttpHeaders;
  readonly query: Readonly<Record<string, string>>;
  /** Parsed frames the client sent (raw text when a frame was not JSON). */
  readonly received: unknown[];
  /** Frames the fake sent. */
  readonly sent: unknown[];
  /** Set once the socket is closed; `by` says which side closed first. */
  readonly closed: { code: number; reason: string; by: 'client' | 'server' } | undefined;
  /** Server-side close, e.g. to imitate the 5-minute idle close; code 1006 drops TCP with no close frame. */
  close(code?: number, reason?: string): void;
}

export class CartesiaConnection implements FakeCartesiaConnection {
  readonly received: unknown[] = [];
  readonly sent: unknown[] = [];
  closed: { code: number; reason: string; by: 'client' | 'server' } | undefined;
  readonly done: Promise<void>;
  private readonly sims = new Map<string, CartesiaContextSim>();
  private serverClosing = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    readonly index: number,
    readonly headers: IncomingHttpHeaders,
    readonly query: Readonly<Record<string, string>>,
    private readonly hooks: ConnectionHooks,
  ) {
    this.done = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString(), by: this.serverClosing ? 'server' : 'client' };
        this.release();
        hooks.changed();
        resolve();
      });
    });
    ws.on('error', () => undefined); // a reset socket also closes; the close handler records it
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.armIdle();
  }

  close(code = 1000, reason = ''): void {
    if (this.closed || this.serverClosing) return;
    this.serverClosing = true;
    if (code === 1006) {
      this.socket.destroy();
      this.ws.terminate();
    } else this.ws.close(code, reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.armIdle();
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
    let msg: unknown;
    try {
      msg = isBinary ? text : JSON.parse(text);
    } catch {
      msg = text;
    }
    this.received.push(msg);
    this.hooks.frames.push({ connection: this.index, direction: 'in', atMs: this.hooks.sinceStartMs(), data: msg });
    this.hooks.changed();
    if (isBinary || typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.hooks.violations.push(`connection ${this.index}: frame is not a JSON object text frame`);
      this.send({ type: 'error', done: true, status_code: 400, error_code: 'invalid_request', title: 'Invalid request', message: 'Could not parse the request' });
      return;
    }
    const req = msg as Record<string, unknown>;
    const contextId = req['context_id'];
    if (typeof contextId !== 'string' || contextId === '') {
      this.hooks.violations.push(`connection ${this.index}: request without context_id`);
      this.send({ type: 'error', done: true, status_code: 400, error_code: 'invalid_request', title: 'Invalid request', message: 'context_id is required' });
      return;
    }
    const sim = this.sims.get(contextId);
    if (req['cancel'] === true) {
      if (sim) sim.cancel();
      else this.hooks.contexts.get(contextId)?.inputs.push(req);
      return;
    }
    (sim && !sim.isFinished ? sim : this.open(contextId)).input(req);
  }

  private open(contextId: string): CartesiaContextSim {
    if (this.hooks.contexts.has(contextId)) {
      // Never reuse a context_id (https://docs.cartesia.ai/use-the-api/concurrency-limits-and-timeouts): behaviour is
      // undefined upstream; the fake flags it.
      this.hooks.violations.push(`context ${contextId}: context_id reused`);
    }
    const record: CartesiaContextRecord = {
      contextId,
      connection: this.index,
      inputs: [],
      chunksSent: 0,
      chunksAfterCancel: 0,
      cancelled: false,
      outcome: 'open',
    };
    this.hooks.contexts.set(contextId, record);
    const io = { send: (m: object | string) => this.send(m), closeSocket: (code: number, reason: string) => this.close(code, reason) };
    const sim = new CartesiaContextSim(io, record, this.hooks.nextScript(contextId), this.hooks.settings, (v) => this.hooks.violations.push(v));
    this.sims.set(contextId, sim);
    return sim;
  }

  private send(message: object | string): boolean {
    if (this.closed || this.serverClosing || this.ws.readyState !== this.ws.OPEN) return false;
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    this.sent.push(message);
    this.hooks.frames.push({ connection: this.index, direction: 'out', atMs: this.hooks.sinceStartMs(), data: message });
    this.ws.send(text);
    this.hooks.changed();
    return true;
  }

  private armIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(1000, 'Connection idle for too long'), this.hooks.idleCloseMs);
  }

  private release(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    for (const sim of this.sims.values()) {
      if (sim.record.outcome === 'open') sim.record.outcome = 'socket-closed';
      sim.stop();
    }
  }
}
