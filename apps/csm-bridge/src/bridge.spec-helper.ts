import { createTranscoder, MULAW_8K, pcm16Format } from '@voice/audio-codec';
import { fakeCsmPcm, type FakeCsm, startFakeCsm, type FakeCsmOptions } from '@voice/testing';
import pino from 'pino';
import WebSocket from 'ws';
import { type Bridge, createBridge } from './bridge';
import type { BridgeConfig } from './config';
import { DEFAULT_PROFILE, type VoiceProfile } from './profiles';

/** μ-law 8 kHz a correct bridge sends for `samples` of the fake's tone: one streaming transcode of the whole PCM. */
export function expectedMulaw(samples: number): Buffer {
  const pcm = fakeCsmPcm(samples);
  const t = createTranscoder(pcm16Format(24_000), MULAW_8K);
  return Buffer.concat([t.process(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength)), t.flush()]);
}

export interface Harness {
  readonly csm: FakeCsm;
  readonly bridge: Bridge;
  readonly port: number;
  readonly http: string;
  readonly ws: (sessionId: string) => string;
  close(): Promise<void>;
}

export async function startHarness(o: { csm?: FakeCsmOptions; config?: Partial<BridgeConfig>; profiles?: VoiceProfile[] } = {}): Promise<Harness> {
  const csm = await startFakeCsm({ msPerChar: 50, ...o.csm });
  const config: BridgeConfig = {
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    csm: { endpoint: csm.url, mode: 'stream', timeoutMs: 2000, maxContextSeconds: 24 },
    keepaliveMs: 60_000,
    idleTimeoutMs: 60_000,
    maxQueue: 4,
    ...o.config,
  };
  const profiles = new Map<string, VoiceProfile>([[DEFAULT_PROFILE.id, DEFAULT_PROFILE], ...(o.profiles ?? []).map((p) => [p.id, p] as const)]);
  const bridge = createBridge(config, { logger: pino({ level: 'silent' }), profiles });
  const port = await bridge.listen(0, '127.0.0.1');
  return {
    csm,
    bridge,
    port,
    http: `http://127.0.0.1:${port}`,
    ws: (id) => `ws://127.0.0.1:${port}/v1/native/ws/${id}`,
    async close() {
      await bridge.close(50);
      await csm.close();
    },
  };
}

export type Message = Record<string, unknown> & { type: string };

/** A WebSocket client that records every message and close, like wscat with a memory. */
export class Client {
  readonly messages: Message[] = [];
  readonly raw: string[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly ws: WebSocket;
  private readonly opened: Promise<void>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    this.ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      this.messages.push(JSON.parse(text) as Message);
    });
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  open(): Promise<this> {
    return this.opened.then(() => this);
  }

  send(text: string): void {
    this.ws.send(text);
  }

  of(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }

  /** μ-law bytes of every audio message so far (optionally of one request id). */
  audio(requestId?: string): Buffer {
    return Buffer.concat(this.of('audio').filter((m) => requestId === undefined || m['request_id'] === requestId).map((m) => Buffer.from(m['audio_base64'] as string, 'base64')));
  }

  async until(predicate: (c: this) => boolean, what: string, timeoutMs = 3000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > end) throw new Error(`client: ${what} not reached within ${timeoutMs} ms (messages: ${this.messages.map((m) => m.type).join(',')})`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  terminate(): void {
    this.ws.terminate();
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const done = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close();
    await done;
  }
}
