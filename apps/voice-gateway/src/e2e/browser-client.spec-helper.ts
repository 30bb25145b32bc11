// A test double of the softphone page: fetches a token, opens WS /browser with an Origin, streams caller PCM16
// 16 kHz in real time, "plays" the agent's PCM16 through Twilio's playback model (marks echoed once the audio before
// them has played, clear drops the queue and echoes what was pending), and records every event.
import { MULAW_8K, type Transcoder, createTranscoder, pcm16Format, resample } from '@voice/audio-codec';
import { TwilioPlayback } from '@voice/testing';
import WebSocket from 'ws';

export interface BrowserEvent {
  readonly type: string;
  readonly at: number;
  readonly [k: string]: unknown;
}

export async function fetchToken(http: string, origin: string | undefined): Promise<{ status: number; token?: string }> {
  const res = await fetch(`${http}/softphone/token`, { method: 'POST', headers: origin === undefined ? {} : { origin } });
  const body = (await res.json()) as { token?: string };
  return { status: res.status, token: body.token };
}

/** Opens WS /browser; resolves with the HTTP status of a refused upgrade instead of throwing. */
export function tryUpgrade(url: string, origin: string | undefined, onSocket?: (ws: WebSocket) => void): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: origin === undefined ? {} : { origin } });
    // Listeners go on before `open`: the server's first message can arrive in the same read as the 101.
    onSocket?.(ws);
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', () => resolve({ status: 0 }));
  });
}

export class BrowserClient {
  readonly events: BrowserEvent[] = [];
  readonly clears: number[] = [];
  /** Mark echoes sent: name and whether a clear flushed it. */
  readonly echoes: Array<{ name: string; flushed: boolean; at: number }> = [];
  readonly audioArrivals: number[] = [];
  closeInfo: { code: number; reason: string } | undefined;
  private readonly down: Transcoder = createTranscoder(pcm16Format(16000), MULAW_8K);
  private readonly playback: TwilioPlayback;
  private readonly closedPromise: Promise<void>;
  private stopped = false;

  private constructor(private readonly ws: WebSocket) {
    this.playback = new TwilioPlayback((name, flushed) => {
      this.echoes.push({ name, flushed, at: performance.now() });
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'mark', name }));
    });
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    this.closedPromise = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this.playback.stop();
        resolve();
      }),
    );
  }

  static async connect(http: string, origin = http): Promise<BrowserClient> {
    const { token } = await fetchToken(http, origin);
    if (token === undefined) throw new Error('no softphone token');
    let client: BrowserClient | undefined;
    const r = await tryUpgrade(`${http.replace(/^http/, 'ws')}/browser?token=${encodeURIComponent(token)}`, origin, (ws) => (client = new BrowserClient(ws)));
    if (r.ws === undefined || client === undefined) throw new Error(`softphone upgrade refused: ${r.status}`);
    return client;
  }

  /** Caller audio at any rate, sent as 20 ms PCM16 16 kHz messages on real-time deadlines. */
  async sendPcm(pcm: Int16Array, sampleRate: number): Promise<void> {
    const at16k = sampleRate === 16000 ? pcm : resample(pcm, sampleRate, 16000);
    const start = performance.now();
    for (let i = 0, n = 0; i < at16k.length && !this.stopped; i += 320, n++) {
      const wait = start + n * 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (this.ws.readyState !== WebSocket.OPEN) return;
      const chunk = at16k.slice(i, i + 320);
      this.ws.send(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), { binary: true });
    }
  }

  sendJson(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  ofType(type: string): BrowserEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  /** What the caller heard, as μ-law 8 kHz (received audio minus what a clear dropped). */
  playedAudio(): Uint8Array {
    return this.playback.playedAudio();
  }

  bufferedBytes(): number {
    return this.playback.bufferedBytes();
  }

  async waitFor(predicate: (c: this) => boolean, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > end) throw new Error(`BrowserClient.waitFor: condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    const guard = setTimeout(() => this.ws.terminate(), 1000);
    try {
      await this.closedPromise;
    } finally {
      clearTimeout(guard);
    }
  }

  closed(): Promise<void> {
    return this.closedPromise;
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const at = performance.now();
    if (isBinary) {
      this.audioArrivals.push(at);
      this.playback.enqueueAudio(this.down.process(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
      return;
    }
    const m = JSON.parse(data.toString('utf8')) as { type: string; name?: string };
    this.events.push({ ...m, at });
    if (m.type === 'mark' && typeof m.name === 'string') this.playback.enqueueMark(m.name);
    else if (m.type === 'clear') {
      this.clears.push(at);
      this.playback.clear();
    }
  }
}
