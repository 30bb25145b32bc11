import { decodeMulaw } from '@voice/audio-codec';
import WebSocket from 'ws';
import { type FakeElevenLabs, startFakeElevenLabs } from './fake-elevenlabs';
import type { FakeElevenLabsOptions } from './types';

type Msg = Record<string, unknown>;

async function connect(
  fake: FakeElevenLabs,
  o: { key?: string | null; query?: string; voice?: string } = {},
): Promise<{ ws: WebSocket; messages: Msg[]; raw: string[]; closed: Promise<{ code: number; reason: string }> }> {
  const query = o.query ?? 'model_id=eleven_flash_v2_5&output_format=ulaw_8000';
  const headers: Record<string, string> = o.key === null ? {} : { 'xi-api-key': o.key ?? fake.apiKey };
  const ws = new WebSocket(`${fake.url}/v1/text-to-speech/${o.voice ?? 'voice-1'}/stream-input?${query}`, { headers });
  const messages: Msg[] = [];
  const raw: string[] = [];
  ws.on('message', (d) => {
    raw.push(String(d));
    try {
      messages.push(JSON.parse(String(d)) as Msg);
    } catch {
      // kept in raw
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, raw, closed };
}

function upgradeStatus(fake: FakeElevenLabs, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${fake.url}${path}`, { headers });
    ws.on('unexpected-response', (_q, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
  });
}

const send = (ws: WebSocket, m: Msg): void => ws.send(JSON.stringify(m));

describe('startFakeElevenLabs', () => {
  let fake: FakeElevenLabs;
  const start = async (o: FakeElevenLabsOptions = {}): Promise<FakeElevenLabs> => (fake = await startFakeElevenLabs(o));
  afterEach(async () => fake?.close());

  it('speaks BOS / text / EOS: μ-law audio with alignment, then isFinal and a clean close', async () => {
    await start();
    const { ws, messages, closed } = await connect(fake);
    send(ws, { text: ' ', voice_settings: { stability: 0.5, similarity_boost: 0.8 } });
    send(ws, { text: 'Hello world. ', flush: true });
    send(ws, { text: '' });
    expect(await closed).toEqual({ code: 1000, reason: '' });
    const audio = messages.filter((m) => typeof m['audio'] === 'string');
    expect(messages.at(-1)).toEqual({ isFinal: true });
    const bytes = Buffer.concat(audio.map((m) => Buffer.from(m['audio'] as string, 'base64')));
    // "Helloworld." = 11 non-space characters × 50 ms × 8 bytes/ms.
    expect(bytes.length).toBe(11 * 50 * 8);
    expect(decodeMulaw(new Uint8Array(bytes)).some((s) => Math.abs(s) > 8000)).toBe(true);
    const chars = audio.flatMap((m) => (m['alignment'] as { chars: string[] }).chars).join('');
    expect(chars).toBe('Hello world. ');
    const session = fake.sessions[0];
    expect(session).toMatchObject({ voiceId: 'voice-1', texts: ['Hello world. '], flushes: 1, eosReceived: true });
    expect(session?.query['output_format']).toBe('ulaw_8000');
    await fake.waitFor(() => session?.closed !== undefined);
    expect(session?.closed?.by).toBe('server');
    expect(fake.violations).toEqual([]);
  });

  it('buffers until the chunk_length_schedule is reached or a flush arrives', async () => {
    await start();
    const { ws, messages } = await connect(fake);
    send(ws, { text: ' ', generation_config: { chunk_length_schedule: [50] } });
    send(ws, { text: 'Short. ' });
    await new Promise((r) => setTimeout(r, 30));
    expect(messages).toHaveLength(0);
    send(ws, { text: 'This second text makes the buffer longer than fifty characters. ' });
    await fake.waitFor(() => messages.length > 0);
    const before = messages.length;
    send(ws, { text: 'Tiny. ', flush: true });
    await fake.waitFor(() => messages.length > before);
    ws.terminate();
  });

  it('flags a missing BOS, texts without a trailing space, and an EOS before any text', async () => {
    await start({ strict: false });
    const a = await connect(fake);
    send(a.ws, { text: 'No BOS. ' });
    await fake.waitFor(() => fake.violations.length === 1);
    expect(fake.violations[0]).toMatch(/missing BOS/);
    a.ws.terminate();

    const b = await connect(fake);
    send(b.ws, { text: ' ' });
    send(b.ws, { text: 'no trailing space' });
    send(b.ws, { text: '' });
    await b.closed;
    expect(fake.sessions[1]?.violations).toEqual([expect.stringMatching(/does not end with a space/)]);

    const c = await connect(fake);
    send(c.ws, { text: ' ' });
    send(c.ws, { text: '' });
    await c.closed;
    expect(fake.sessions[2]?.violations).toEqual([expect.stringMatching(/EOS\) before any content/)]);
  });

  it('closes 1008 on a missing BOS in strict mode', async () => {
    await start();
    const { ws, closed } = await connect(fake);
    send(ws, { text: 'Hello ' });
    expect((await closed).code).toBe(1008);
  });

  it('checks the key in the header (401) or in the BOS message (1008)', async () => {
    await start();
    const path = '/v1/text-to-speech/v/stream-input?output_format=ulaw_8000';
    expect(await upgradeStatus(fake, path, { 'xi-api-key': 'wrong' })).toBe(401);
    expect(await upgradeStatus(fake, '/v1/text-to-speech/v/other', {})).toBe(404);
    const bad = await connect(fake, { key: null });
    send(bad.ws, { text: ' ', xi_api_key: 'wrong' });
    expect(await bad.closed).toEqual({ code: 1008, reason: 'invalid_api_key: Invalid API key' });
    const good = await connect(fake, { key: null });
    send(good.ws, { text: ' ', 'xi-api-key': fake.apiKey });
    send(good.ws, { text: 'Fine. ', flush: true });
    await fake.waitFor(() => good.messages.length > 0);
    good.ws.terminate();
  });

  it('closes after the inactivity timeout unless " " keepalives arrive', async () => {
    await start({ inactivityTimeoutMs: 250 });
    const kept = await connect(fake);
    send(kept.ws, { text: ' ' });
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 30));
      send(kept.ws, { text: ' ' });
    }
    await fake.waitFor(() => fake.sessions[0]?.keepalives === 4);
    expect(fake.sessions[0]?.closed).toBeUndefined();
    const idle = await connect(fake);
    send(idle.ws, { text: ' ' });
    const closed = await idle.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/^Have not received a new text input within the timeout/);
    kept.ws.terminate();
  });

  it('scripts upgrade faults, socket closes, malformed frames and hangs', async () => {
    await start({ sessions: [{ close: { code: 1011, afterChunks: 1 } }, { malformedAfterChunks: 1 }, { hang: true }] });
    fake.failUpgrades({ status: 429, retryAfter: 1 });
    expect(await upgradeStatus(fake, '/v1/text-to-speech/v/stream-input?output_format=ulaw_8000', { 'xi-api-key': fake.apiKey })).toBe(429);
    const long = 'A sentence long enough for several chunks. ';
    const a = await connect(fake);
    send(a.ws, { text: ' ' });
    send(a.ws, { text: long, flush: true });
    expect((await a.closed).code).toBe(1011);
    expect(a.messages).toHaveLength(1);
    const b = await connect(fake);
    send(b.ws, { text: ' ' });
    send(b.ws, { text: long, flush: true });
    await fake.waitFor(() => b.raw.length === 2);
    expect(() => JSON.parse(b.raw[1] ?? '')).toThrow(SyntaxError);
    const c = await connect(fake);
    send(c.ws, { text: ' ' });
    send(c.ws, { text: long, flush: true });
    await new Promise((r) => setTimeout(r, 30));
    expect(c.messages).toHaveLength(0);
    expect(fake.openConnections()).toBe(2);
    b.ws.terminate();
    c.ws.terminate();
    await fake.waitFor(() => fake.openConnections() === 0);
    expect(fake.sessions.map((s) => s.closed?.by)).toEqual(['server', 'client', 'client']);
  });
});
