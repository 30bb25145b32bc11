import type { ServerResponse } from 'node:http';
import { sleep } from '../abortable-sleep';
import type { RecordedRequest, ResponseFaults } from './types';

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * OpenAI error `type`/`code` per status, as the API and Groq send them (Groq's 429:
 * https://console.groq.com/docs/rate-limits, body as reported in https://github.com/Aider-AI/aider/issues/3265).
 */
export function defaultErrorBody(status: number, vendor: RecordedRequest['vendor']): unknown {
  const table: Record<number, [string, string, string | null]> = {
    400: ['Invalid request.', 'invalid_request_error', null],
    401: [
      vendor === 'groq' ? 'Invalid API Key' : 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
      'invalid_request_error',
      'invalid_api_key',
    ],
    403: ['You are not allowed to access this resource.', 'permission_error', 'permission_denied'],
    404: ['The model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'],
    429: ['Rate limit reached for requests. Please try again in 1s.', 'requests', 'rate_limit_exceeded'],
    500: ['The server had an error while processing your request.', 'server_error', null],
    503: ['The engine is currently overloaded, please try again later.', 'server_error', 'overloaded'],
  };
  const [message, type, code] = table[status] ?? [`Fake error ${status}.`, status >= 500 ? 'server_error' : 'invalid_request_error', null];
  return { error: { message, type, param: null, code } };
}

/**
 * Drives one HTTP response through a script's faults: delays before the headers and each body write, a hang, a
 * socket destroy after N writes. `closed` aborts when the socket goes away (client abort or fake shutdown), which
 * ends every wait early so no timer outlives the connection.
 */
export class ScriptedResponse {
  constructor(
    private readonly res: ServerResponse,
    private readonly record: RecordedRequest,
    private readonly faults: ResponseFaults,
    private readonly closed: AbortSignal,
  ) {}

  /** Sends the headers unless a fault says otherwise; false means stop. */
  async start(status: number, headers: Record<string, string>): Promise<boolean> {
    await sleep(this.faults.headersDelayMs ?? 0, this.closed);
    if (this.closed.aborted) return false;
    if (this.faults.hang === 'before-headers') {
      await untilAborted(this.closed);
      return false;
    }
    if (this.faults.destroyAfterChunks === 0) {
      this.destroy();
      return false;
    }
    this.record.status = status;
    this.res.writeHead(status, { ...headers, ...this.faults.headers });
    // Push the headers out now so the client sees the response start before the first body write.
    this.res.flushHeaders();
    return true;
  }

  /** Writes one body chunk (after the scripted delay) unless a fault fires first; false means stop. */
  async write(chunk: string | Uint8Array): Promise<boolean> {
    if (!(await this.beforeWrite())) return false;
    this.res.write(chunk);
    this.record.bodyWrites++;
    return true;
  }

  /** Writes one logical chunk as two TCP writes, cut at `at`. */
  async writeSplit(chunk: string, at: number): Promise<boolean> {
    if (!(await this.beforeWrite())) return false;
    this.res.write(chunk.slice(0, at));
    await new Promise((r) => setImmediate(r));
    if (this.closed.aborted) return false;
    this.res.write(chunk.slice(at));
    this.record.bodyWrites++;
    return true;
  }

  /** Ends the response, unless a hang or destroy is due at this point. */
  async end(): Promise<void> {
    if (!(await this.checkFaults())) return;
    this.res.end();
  }

  /** Sends a JSON body with one write. */
  async json(status: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
    if (await this.start(status, { 'content-type': 'application/json', ...headers })) {
      if (await this.write(JSON.stringify(body))) await this.end();
    }
  }

  /** Sends the scripted error status, if the script has one. True when it did (the caller must stop). */
  async sendScriptedError(): Promise<boolean> {
    const status = this.faults.status;
    if (status === undefined || status < 400) return false;
    await this.sendError(status, this.faults.errorBody);
    return true;
  }

  async sendError(status: number, body?: unknown): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.faults.retryAfter !== undefined) headers['retry-after'] = this.faults.retryAfter;
    await this.json(status, body ?? defaultErrorBody(status, this.record.vendor), headers);
  }

  private async beforeWrite(): Promise<boolean> {
    await sleep(this.faults.chunkDelayMs ?? 0, this.closed);
    if (this.closed.aborted) return false;
    return this.checkFaults();
  }

  private async checkFaults(): Promise<boolean> {
    if (this.closed.aborted) return false;
    if (this.faults.destroyAfterChunks !== undefined && this.record.bodyWrites >= this.faults.destroyAfterChunks) {
      this.destroy();
      return false;
    }
    if (this.faults.endAfterChunks !== undefined && this.record.bodyWrites >= this.faults.endAfterChunks) {
      this.res.end();
      return false;
    }
    if (typeof this.faults.hang === 'number' && this.record.bodyWrites >= this.faults.hang) {
      await untilAborted(this.closed);
      return false;
    }
    return true;
  }

  private destroy(): void {
    this.record.outcome = 'server-destroyed';
    this.res.socket?.destroy();
  }
}
