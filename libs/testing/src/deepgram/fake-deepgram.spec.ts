import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { type FakeDeepgram, startFakeDeepgram } from './fake-deepgram';
import type { DeepgramResultsJson } from './messages';
import type { FakeDeepgramOptions } from './script';

// The fake is tested with a bare `ws` client, so these tests do not depend on the SDK or on libs/stt.
let fake: FakeDeepgram;
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await fake.close();
});

const QUERY = 'model=nova-3&encoding=mulaw&sample_rate=8000&channels=1&interim_results=true&smart_format=true';

interface Client {
  ws: WebSocket;
  messages: Array<Record<string, unknown> | string>;
  closed: Promise<{ code: number; reason: string }>;
}

function connect(key = 'test-key', query = QUERY): Promise<Client> {
  const ws = new WebSocket(`${fake.url}/v1/listen?${query}`, { headers: { Authorization: `Token ${key}` } });
  clients.push(ws);
  const messages: Client['messages'] = [];
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    try {
      messages.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      messages.push(text);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, closed }));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () =>
        reject(Object.assign(new Error('rejected'), { status: res.statusCode, headers: res.headers, body })),
      );
    });
    ws.once('error', reject);
  });
}

const start = async (opts: FakeDeepgramOptions = {}): Promise<void> => {
  fake = await startFakeDeepgram(opts);
};
const frame = (n: number, fill = 0xff): Buffer => Buffer.alloc(n, fill);
const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('startFakeDeepgram', () => {
  it('rejects a wrong key with 401, dg-error and a JSON body, and records the attempt', async () => {
    await start();
    const err = (await connect('wrong').catch((e: unknown) => e)) as { status: number; headers: Record<string, string>; body: string };
    expect(err.status).toBe(401);
    expect(err.headers['dg-error']).toBe('Invalid credentials.');
    expect(JSON.parse(err.body)).toMatchObject({ err_code: 'INVALID_AUTH' });
    expect(fake.upgrades.map((u) => u.status)).toEqual([401]);
    expect(fake.connections).toHaveLength(0);
  });

  it('answers scripted upgrade faults (429 with retry-after) and then accepts', async () => {
    await start({ upgradeFault: (i) => (i === 0 ? { status: 429, retryAfter: 2 } : undefined) });
    const err = (await connect().catch((e: unknown) => e)) as { status: number; headers: Record<string, string> };
    expect(err.status).toBe(429);
    expect(err.headers['retry-after']).toBe('2');
    await connect();
    expect(fake.upgrades.map((u) => u.status)).toEqual([429, 101]);
  });

  it('records query, headers and frames; emits scripted results timed by the audio received', async () => {
    await start({
      script: [
        { atBytes: 800, kind: 'speech_started' },
        { atBytes: 4000, kind: 'interim', text: 'Tell me' },
        { atBytes: 8000, kind: 'final', text: 'Tell me more.' },
        { atBytes: 8000, kind: 'utterance_end' },
      ],
    });
    const c = await connect();
    for (let i = 0; i < 50; i++) c.ws.send(frame(160, i));
    c.ws.send(JSON.stringify({ type: 'KeepAlive' }));
    await until(() => c.messages.length === 4);
    const conn = fake.connections[0];
    expect(conn.query).toMatchObject({ model: 'nova-3', encoding: 'mulaw', sample_rate: '8000' });
    expect(conn.headers.authorization).toBe('Token test-key');
    expect(conn.bytesReceived).toBe(8000);
    expect(conn.audioFrames[3]).toEqual(frame(160, 3));
    expect(conn.controls.map((x) => [x.type, x.atBytes])).toEqual([['KeepAlive', 8000]]);

    const [started, interim, final, end] = c.messages as [unknown, DeepgramResultsJson, DeepgramResultsJson, unknown];
    expect(started).toEqual({ type: 'SpeechStarted', channel: [0, 1], timestamp: 0 });
    expect(interim).toMatchObject({ type: 'Results', is_final: false, start: 0, duration: 0.5 });
    expect(interim.channel.alternatives[0].words).toEqual([
      { word: 'tell', start: 0, end: 0.25, confidence: 0.99, punctuated_word: 'Tell' },
      { word: 'me', start: 0.25, end: 0.5, confidence: 0.99, punctuated_word: 'me' },
    ]);
    expect(final).toMatchObject({ is_final: true, speech_final: true, from_finalize: false, start: 0, duration: 1 });
    expect(final.channel.alternatives[0].transcript).toBe('Tell me more.');
    expect(final.channel.alternatives[0].words.map((w) => w.end)).toEqual([1 / 3, 2 / 3, 1].map((x) => Math.round(x * 1e6) / 1e6));
    expect(end).toEqual({ channel: [0, 1], last_word_end: 1, type: 'UtteranceEnd' });
  });

  it('Finalize flushes the pending interim with from_finalize; CloseStream sends Metadata and closes 1000', async () => {
    await start({ script: [{ atBytes: 1600, kind: 'interim', text: 'hello there' }] });
    const c = await connect();
    c.ws.send(frame(1600));
    await until(() => c.messages.length === 1);
    c.ws.send(JSON.stringify({ type: 'Finalize' }));
    await until(() => c.messages.length === 2);
    expect(c.messages[1]).toMatchObject({ type: 'Results', is_final: true, from_finalize: true, start: 0, duration: 0.2 });
    c.ws.send(frame(800));
    c.ws.send(JSON.stringify({ type: 'CloseStream' }));
    const closed = await c.closed;
    expect(closed.code).toBe(1000);
    const meta = c.messages[c.messages.length - 1] as Record<string, unknown>;
    expect(meta).toMatchObject({ type: 'Metadata', duration: 0.3, channels: 1, request_id: fake.connections[0].requestId });
    expect(fake.connections[0].closedBy).toBe('server');
  });

  it('enforces NET-0001 after idleTimeoutMs without frames; KeepAlive text frames hold it off', async () => {
    await start({ idleTimeoutMs: 120 });
    const kept = await connect();
    const idle = await connect();
    const timer = setInterval(() => kept.ws.send(JSON.stringify({ type: 'KeepAlive' })), 40);
    const closed = await idle.closed;
    clearInterval(timer);
    expect(closed).toEqual({ code: 1011, reason: 'NET-0001' });
    expect(fake.connections[1].closedBy).toBe('idle');
    expect(fake.connections[0].closedBy).toBeUndefined();
    expect(fake.connections[0].controls.length).toBeGreaterThanOrEqual(2);
  });

  it('scripted faults: close 1011 NET-0000, TCP reset, malformed JSON; zero-length frames are counted', async () => {
    await start({
      script: (i) =>
        i === 0
          ? [
              { atBytes: 160, kind: 'raw', text: '{"type":"Results","channel":' },
              { atBytes: 320, kind: 'close', code: 1011, reason: 'NET-0000' },
            ]
          : [{ atBytes: 160, kind: 'reset' }],
    });
    const a = await connect();
    a.ws.send(Buffer.alloc(0));
    a.ws.send(frame(160));
    a.ws.send(frame(160));
    expect(await a.closed).toEqual({ code: 1011, reason: 'NET-0000' });
    expect(a.messages).toEqual(['{"type":"Results","channel":']);
    expect(fake.connections[0].zeroLengthFrames).toBe(1);

    const b = await connect();
    b.ws.on('error', () => undefined);
    b.ws.send(frame(160));
    expect((await b.closed).code).toBe(1006);
    await fake.connections[1].closed;
    expect(fake.connections[1].closedBy).toBe('reset');
    expect(fake.openConnections()).toBe(0);
  });

  it('records a client close code and counts open connections', async () => {
    await start();
    const c = await connect();
    expect(fake.openConnections()).toBe(1);
    c.ws.close(1000, 'bye');
    await fake.connections[0].closed;
    expect(fake.connections[0]).toMatchObject({ closedBy: 'client', closeCode: 1000, closeReason: 'bye' });
    await until(() => fake.openConnections() === 0);
  });
});
