import Cartesia from '@cartesia/cartesia-js';
import { TTSWS } from '@cartesia/cartesia-js/resources/tts/ws';
import { decodeMulaw } from '@voice/audio-codec';
import WebSocket from 'ws';
import { type FakeCartesia, startFakeCartesia } from './fake-cartesia';
import type { FakeCartesiaOptions } from './types';

const VOICE = { mode: 'id' as const, id: 'a0e99841-438c-4a64-b679-ae501e7d6091' };
const MULAW = { container: 'raw' as const, encoding: 'pcm_mulaw' as const, sample_rate: 8000 as const };

/** A raw `ws` client: lets the tests send what the SDK would never send. */
async function rawClient(fake: FakeCartesia, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; messages: Array<Record<string, unknown>>; raw: string[] }> {
  const ws = new WebSocket(`wss://127.0.0.1:${fake.port}/tts/websocket`, {
    ca: fake.ca,
    headers: { authorization: `Bearer ${fake.apiKey}`, 'cartesia-version': '2026-03-01', ...headers },
  });
  const messages: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  ws.on('message', (d) => {
    const text = String(d);
    raw.push(text);
    try {
      messages.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      // kept in `raw`
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, raw };
}

function request(contextId: string, transcript: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model_id: 'sonic-3', voice: VOICE, output_format: MULAW, language: 'en', context_id: contextId, transcript, continue: false, max_buffer_delay_ms: 0, ...extra });
}

function upgradeStatus(fake: FakeCartesia, headers: Record<string, string>, path = '/tts/websocket'): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`wss://127.0.0.1:${fake.port}${path}`, { ca: fake.ca, headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
  });
}

describe('startFakeCartesia', () => {
  let fake: FakeCartesia;
  const clients: WebSocket[] = [];
  const start = async (o: FakeCartesiaOptions = {}): Promise<FakeCartesia> => (fake = await startFakeCartesia(o));
  const client = async (headers?: Record<string, string>) => {
    const c = await rawClient(fake, headers);
    clients.push(c.ws);
    return c;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await fake?.close();
  });

  it('checks the key, the version and the path on the upgrade', async () => {
    await start();
    const version = { 'cartesia-version': '2026-03-01' };
    expect(await upgradeStatus(fake, { authorization: 'Bearer wrong', ...version })).toBe(401);
    expect(await upgradeStatus(fake, { authorization: `Bearer ${fake.apiKey}` })).toBe(400);
    expect(await upgradeStatus(fake, { 'x-api-key': fake.apiKey, ...version })).toBe(101);
    expect(await upgradeStatus(fake, { authorization: `Bearer ${fake.apiKey}`, ...version }, '/tts/sse')).toBe(404);
    expect(fake.upgrades.map((u) => u.status)).toEqual([401, 400, 101, 404]);
  });

  it('serves the real SDK: chunks of μ-law tone sized to the transcript, then done', async () => {
    await start({ msPerChar: 50, chunkMs: 100 });
    const client = new Cartesia({ apiKey: fake.apiKey, baseURL: fake.url });
    const tts = new TTSWS(client, { ca: fake.ca });
    tts.on('error', () => undefined);
    await tts.connect();
    const ctx = tts.context({ contextId: 'turn-1', model_id: 'sonic-3', voice: VOICE, output_format: MULAW, max_buffer_delay_ms: 0 });
    await ctx.push({ transcript: 'Hello, ' });
    await ctx.no_more_inputs();
    const types: string[] = [];
    const audio: number[] = [];
    for await (const ev of ctx.receive({ timeout: 2000 })) {
      types.push(ev.type ?? '');
      if (ev.type === 'chunk') audio.push(...Buffer.from(ev.data, 'base64'));
    }
    tts.close();
    // "Hello," = 6 non-space characters × 50 ms = 300 ms = 2400 μ-law bytes, in 100 ms chunks.
    expect(audio).toHaveLength(2400);
    expect(types).toEqual(['chunk', 'chunk', 'chunk', 'done']);
    const pcm = decodeMulaw(Uint8Array.from(audio));
    const peak = pcm.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    expect(peak).toBeGreaterThan(8000); // a -10 dBFS tone, not silence
    expect(fake.connections[0]?.headers['authorization']).toBe(`Bearer ${fake.apiKey}`);
    expect(fake.connections[0]?.headers['cartesia-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(fake.contexts.get('turn-1')?.outcome).toBe('done');
    expect(fake.violations).toEqual([]);
  });

  it('answers flushes with flush_done in input order and keeps fields fixed per context', async () => {
    await start();
    const { ws, messages } = await client();
    ws.send(request('c1', 'One. ', { continue: true }));
    ws.send(request('c1', '', { continue: true, flush: true }));
    ws.send(request('c1', 'Two.', { continue: false }));
    await fake.waitFor(() => messages.some((m) => m['type'] === 'done'));
    const kinds = messages.map((m) => m['type']);
    const flushAt = kinds.indexOf('flush_done');
    expect(flushAt).toBeGreaterThan(0);
    expect(kinds.slice(0, flushAt).every((k) => k === 'chunk')).toBe(true);
    expect(kinds.slice(flushAt + 1, -1).every((k) => k === 'chunk')).toBe(true);
    expect(messages[flushAt]).toMatchObject({ flush_done: true, flush_id: 1, context_id: 'c1' });
    ws.send(request('c2', 'x', { continue: true }));
    ws.send(request('c2', 'y', { model_id: 'sonic-2' }));
    await fake.waitFor(() => fake.violations.length > 0);
    expect(fake.violations[0]).toMatch(/c2: fields other than transcript/);
  });

  it('buffers text without flush until max_buffer_delay_ms', async () => {
    await start({ maxBufferDelayCapMs: 300 });
    const { ws, messages } = await client();
    ws.send(request('b1', 'Buffered text ', { continue: true, max_buffer_delay_ms: 3000 }));
    await new Promise((r) => setTimeout(r, 30));
    expect(messages).toHaveLength(0); // still buffered: no flush, continue:true, delay not over
    await fake.waitFor(() => messages.length > 0);
    expect(messages[0]).toMatchObject({ type: 'chunk', context_id: 'b1' });
  });

  it('cancel halts a context that has not started, but one already generating keeps sending', async () => {
    await start({ chunkIntervalMs: 10, firstChunkDelayMs: 0 });
    const { ws, messages } = await client();
    ws.send(request('busy', 'A long sentence that takes a while to say.'));
    await fake.waitFor(() => messages.some((m) => m['context_id'] === 'busy'));
    ws.send(JSON.stringify({ context_id: 'busy', cancel: true }));
    const record = fake.contexts.get('busy');
    await fake.waitFor(() => record?.outcome === 'cancelled-while-generating');
    expect(record?.chunksAfterCancel).toBeGreaterThan(0);
    expect(messages.some((m) => m['type'] === 'done' && m['context_id'] === 'busy')).toBe(false);

    fake.scriptContexts({ hang: true });
    ws.send(request('idle', 'Never spoken.'));
    await fake.waitFor(() => fake.contexts.get('idle')?.outcome === 'hung');
    ws.send(JSON.stringify({ context_id: 'idle', cancel: true }));
    await fake.waitFor(() => fake.contexts.get('idle')?.outcome === 'cancelled-before-start');
    expect(messages.some((m) => m['context_id'] === 'idle')).toBe(false);
  });

  it('sends scripted error frames, malformed frames and socket closes', async () => {
    await start({ contexts: [{ error: { status: 429, afterChunks: 1 } }, { malformedAfterChunks: 0 }, { close: { code: 1011, reason: 'boom', afterChunks: 1 } }] });
    const { ws, messages, raw } = await client();
    ws.send(request('e1', 'Rate limited after one chunk.'));
    await fake.waitFor(() => messages.some((m) => m['type'] === 'error'));
    expect(messages.filter((m) => m['context_id'] === 'e1').map((m) => m['type'])).toEqual(['chunk', 'error']);
    expect(messages.find((m) => m['type'] === 'error')).toMatchObject({ done: true, status_code: 429, error_code: 'concurrency_limited' });
    ws.send(request('e2', 'Broken.'));
    await fake.waitFor(() => raw.some((t) => t.includes('"e2"')));
    expect(() => JSON.parse(raw.find((t) => t.includes('"e2"')) ?? '')).toThrow(SyntaxError);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(request('e3', 'Crash mid context.'));
    expect(await closed).toBe(1011);
    expect(fake.connections[0]?.closed).toMatchObject({ code: 1011, by: 'server' });
    expect(fake.openConnections()).toBe(0);
  });

  it('rejects or hangs scripted upgrades, and closes idle sockets', async () => {
    await start({ idleCloseMs: 50 });
    fake.failUpgrades({ status: 429, retryAfter: 2 });
    const headers = { authorization: `Bearer ${fake.apiKey}`, 'cartesia-version': '2026-03-01' };
    expect(await upgradeStatus(fake, headers)).toBe(429);
    fake.failUpgrades({ status: 0, hang: true });
    const hung = new WebSocket(`wss://127.0.0.1:${fake.port}/tts/websocket`, { ca: fake.ca, headers, handshakeTimeout: 50 });
    const hungError = await new Promise<Error>((r) => hung.once('error', r));
    expect(hungError.message).toMatch(/handshake has timed out/);
    expect(fake.upgrades.at(-1)?.status).toBe(0);
    const { ws } = await client();
    const code = await new Promise<number>((r) => ws.once('close', (c) => r(c)));
    expect(code).toBe(1000);
    expect(fake.connections.at(-1)?.closed?.by).toBe('server');
  });

  it('records every frame in both directions and flags a reused context_id', async () => {
    await start();
    const { ws, messages } = await client();
    ws.send(request('r1', 'Hi.'));
    await fake.waitFor(() => messages.some((m) => m['type'] === 'done'));
    ws.send(request('r1', 'Again.'));
    await fake.waitFor(() => fake.violations.some((v) => v.includes('reused')));
    expect(fake.frames.filter((f) => f.direction === 'in')).toHaveLength(2);
    expect(fake.frames.filter((f) => f.direction === 'out').length).toBeGreaterThanOrEqual(messages.length);
  });
});
