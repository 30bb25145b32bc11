import { createServer, type IncomingMessage, type Server } from 'node:http';
import { decodeMulaw, writeWav } from '@voice/audio-codec';
import { parseInbound, serializeClear, serializeMark, serializeMedia, validateUpgradeSignature, type InboundMessage } from '@voice/twilio-protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeServer, listen } from '../net';
import { FakeTwilioClient, connectFakeTwilio } from './fake-twilio-client';
import { FakeTwilioUpgradeError } from './types';
import { mediaGapStats } from './gap-stats';
import { signUpgrade } from './sign';
import { TWILIO_SID_PATTERN } from './sids';

/** A tiny gateway stand-in: records every frame (parsed with @voice/twilio-protocol) and lets a test talk back. */
interface StubFrame {
  readonly at: number;
  readonly binary: boolean;
  readonly message: InboundMessage | undefined;
}
interface StubConn {
  readonly ws: WebSocket;
  readonly req: IncomingMessage;
  readonly frames: StubFrame[];
}
interface Stub {
  readonly url: string;
  readonly conns: StubConn[];
  readonly server: Server;
  readonly wss: WebSocketServer;
}

const stubs: Stub[] = [];
const clients: FakeTwilioClient[] = [];

async function startStub(verify?: (req: IncomingMessage) => boolean): Promise<Stub> {
  const server = createServer();
  const wss = new WebSocketServer({
    server,
    path: '/twilio/media',
    verifyClient: verify === undefined ? undefined : (info, cb) => cb(verify(info.req), 403),
  });
  const conns: StubConn[] = [];
  wss.on('connection', (ws, req) => {
    const conn: StubConn = { ws, req, frames: [] };
    conns.push(conn);
    ws.on('message', (data, isBinary) => {
      const parsed = parseInbound(data as Buffer, { isBinary });
      conn.frames.push({ at: performance.now(), binary: isBinary, message: parsed.ok ? parsed.message : undefined });
    });
  });
  const { port } = await listen(server);
  const stub = { url: `ws://127.0.0.1:${port}/twilio/media`, conns, server, wss };
  stubs.push(stub);
  return stub;
}

async function client(options: ConstructorParameters<typeof FakeTwilioClient>[0]): Promise<FakeTwilioClient> {
  const c = new FakeTwilioClient(options);
  clients.push(c);
  return c.connect();
}

async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function messages<E extends InboundMessage['event']>(conn: StubConn, event: E): Array<Extract<InboundMessage, { event: E }>> {
  return conn.frames.flatMap((f) => (f.message?.event === event ? [f.message as Extract<InboundMessage, { event: E }>] : []));
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(stubs.splice(0).map((s) => closeServer(s.server, s.wss)));
});

describe('FakeTwilioClient: what it sends', () => {
  it('opens with connected then start (sequenceNumber 1), real SID formats and custom parameters', async () => {
    const stub = await startStub();
    const c = await client({ url: stub.url, customParameters: { token: 'abc', FirstName: 'Jane' } });
    await until(() => stub.conns[0]?.frames.length === 2);
    const [connected, start] = stub.conns[0].frames.map((f) => f.message);
    expect(connected).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    if (start?.event !== 'start') throw new Error('expected start');
    expect(start.seq).toBe(1);
    expect(start.streamSid).toBe(c.streamSid);
    expect(start.start).toEqual({
      accountSid: c.accountSid,
      streamSid: c.streamSid,
      callSid: c.callSid,
      tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      customParameters: { token: 'abc', FirstName: 'Jane' },
    });
    for (const [sid, prefix] of [[c.accountSid, 'AC'], [c.callSid, 'CA'], [c.streamSid, 'MZ']]) {
      expect(sid).toMatch(TWILIO_SID_PATTERN);
      expect(sid.slice(0, 2)).toBe(prefix);
    }
  });

  it('streams μ-law as 20 ms frames on deadlines with sequenceNumber/chunk/timestamp bookkeeping', async () => {
    const stub = await startStub();
    const c = await client({ url: stub.url });
    const audio = Uint8Array.from({ length: 1600 }, (_, i) => (i * 13) & 0x7f); // 10 frames, never 0xFF
    const t0 = performance.now();
    await c.sendMulaw(audio);
    // Paced, not burst: the 10th frame goes out at its deadline, 180 ms after the first (never early).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(179);
    await until(() => messages(stub.conns[0], 'media').length === 10);
    const conn = stub.conns[0];
    const media = messages(conn, 'media');
    expect(media.map((m) => m.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(media.map((m) => m.chunk)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(media.every((m) => m.media.track === 'inbound' && m.audio.length === 160)).toBe(true);
    const stamps = media.map((m) => m.timestampMs);
    expect(stamps.slice(1).map((t, i) => t - stamps[i])).toEqual(new Array(9).fill(20));
    expect(Buffer.concat(media.map((m) => m.audio)).equals(Buffer.from(audio))).toBe(true);

    // Non-realtime: sent at once, counters and timestamps continue; the last partial frame is padded with 0xFF.
    await c.sendMulaw(new Uint8Array(200).fill(0x10), { realtime: false });
    await until(() => messages(conn, 'media').length === 12);
    const more = messages(conn, 'media').slice(10);
    expect(more.map((m) => [m.seq, m.chunk])).toEqual([
      [12, 11],
      [13, 12],
    ]);
    expect(more[0].timestampMs).toBeGreaterThanOrEqual(stamps[9] + 20);
    expect(more[1].timestampMs - more[0].timestampMs).toBe(20);
    expect(Array.from(more[1].audio.subarray(40))).toEqual(new Array(120).fill(0xff));
    expect(c.violations).toEqual([]);
  });

  it('transcodes PCM16 at any rate and WAV files to 8 kHz μ-law', async () => {
    const stub = await startStub();
    const c = await client({ url: stub.url });
    const tone = (rate: number, ms: number, hz: number) =>
      Int16Array.from({ length: (rate * ms) / 1000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)));
    await c.sendPcm16(tone(16000, 200, 1000), 16000, { realtime: false });
    await c.sendWav(writeWav(tone(24000, 210, 500), 24000), { realtime: false });
    await until(() => messages(stub.conns[0], 'media').length === 10 + 11);
    const media = messages(stub.conns[0], 'media');
    const pcm = decodeMulaw(Buffer.concat(media.slice(0, 10).map((m) => m.audio)));
    // Goertzel-free check: correlate with the expected 8 kHz sine and cosine at 1 kHz (inner samples).
    const power = (x: Int16Array, hz: number) => {
      let s = 0;
      let co = 0;
      for (let i = 80; i < x.length - 80; i++) {
        s += x[i] * Math.sin((2 * Math.PI * hz * i) / 8000);
        co += x[i] * Math.cos((2 * Math.PI * hz * i) / 8000);
      }
      return Math.hypot(s, co) / ((x.length - 160) / 2);
    };
    expect(power(pcm, 1000)).toBeGreaterThan(7000);
    expect(power(pcm, 1000)).toBeLessThan(9000);
    expect(power(pcm, 2000)).toBeLessThan(200);
    const wavPcm = decodeMulaw(Buffer.concat(media.slice(10, 20).map((m) => m.audio)));
    expect(power(wavPcm, 500)).toBeGreaterThan(7000);
    // 210 ms = 1680 bytes: ten full frames and 80 bytes padded with silence.
    expect(Array.from(media[20].audio.subarray(80))).toEqual(new Array(80).fill(0xff));
  });

  it('sends dtmf, stop and raw frames with continuing sequence numbers', async () => {
    const stub = await startStub();
    const c = await client({ url: stub.url });
    c.sendDtmf('7');
    c.sendRaw('{not json');
    c.sendRaw(Uint8Array.from([1, 2, 3]));
    c.sendStop();
    await until(() => stub.conns[0]?.frames.length === 6);
    const frames = stub.conns[0].frames;
    expect(frames[2].message).toEqual({ event: 'dtmf', sequenceNumber: '2', seq: 2, streamSid: c.streamSid, dtmf: { track: 'inbound_track', digit: '7' } });
    expect([frames[3].message, frames[3].binary]).toEqual([undefined, false]);
    expect([frames[4].message, frames[4].binary]).toEqual([undefined, true]);
    expect(frames[5].message).toEqual({ event: 'stop', sequenceNumber: '3', seq: 3, streamSid: c.streamSid, stop: { accountSid: c.accountSid, callSid: c.callSid } });
  });
});

describe('FakeTwilioClient: playback and marks', () => {
  it('echoes a mark at once on an empty buffer, and after its audio otherwise, in order', async () => {
    const stub = await startStub();
    const c = await client({ url: stub.url });
    await until(() => stub.conns[0]?.frames.length === 2);
    const gw = stub.conns[0];
    gw.ws.send(serializeMark(c.streamSid, 'empty'));
    await until(() => messages(gw, 'mark').length === 1);
    expect(c.marks[0]).toMatchObject({ name: 'empty', flushed: false });

    const sentAt = performance.now();
    const first = Uint8Array.from({ length: 400 }, (_, i) => i & 0x7f);
    gw.ws.send(serializeMedia(c.streamSid, first)); // 50 ms
    gw.ws.send(serializeMark(c.streamSid, 'm1'));
    gw.ws.send(serializeMedia(c.streamSid, new Uint8Array(400).fill(0x22))); // 50 ms more
    gw.ws.send(serializeMark(c.streamSid, 'm2'));
    await until(() => messages(gw, 'mark').length === 3);
    const echoes = messages(gw, 'mark');
    expect(echoes.map((m) => m.mark.name)).toEqual(['empty', 'm1', 'm2']);
    expect(echoes.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(echoes.every((m) => m.streamSid === c.streamSid)).toBe(true);
    // Played at 8000 B/s: m1 cannot come back before its 50 ms of audio, m2 before 100 ms (timer granularity ±1 ms).
    const markAt = gw.frames.filter((f) => f.message?.event === 'mark').map((f) => f.at - sentAt);
    expect(markAt[1]).toBeGreaterThanOrEqual(48);
    expect(markAt[2]).toBeGreaterThanOrEqual(98);
    expect(c.marks.map((m) => [m.name, m.flushed])).toEqual([
      ['empty', false],
      ['m1', false],
      ['m2', false],
    ]);
    expect(c.playedAudio()).toHaveLength(800);
    expect(Buffer.from(c.playedAudio().subarray(0, 400)).equals(Buffer.from(first))).toBe(true);
    expect(c.violations).toEqual([]);
  });

  it('on clear drops queued audio and echoes every pending mark immediately, in order', async () => {
    const stub = await startStub();
    const c = await client({ url: stub.url });
    await until(() => stub.conns[0]?.frames.length === 2);
    const gw = stub.conns[0];
    gw.ws.send(serializeMedia(c.streamSid, new Uint8Array(40000).fill(0x31))); // 5 s
    gw.ws.send(serializeMark(c.streamSid, 'x'));
    gw.ws.send(serializeMedia(c.streamSid, new Uint8Array(40000).fill(0x32)));
    gw.ws.send(serializeMark(c.streamSid, 'y'));
    await c.waitFor((cl) => cl.marks.length === 2);
    gw.ws.send(serializeClear(c.streamSid));
    await until(() => messages(gw, 'mark').length === 2);
    expect(messages(gw, 'mark').map((m) => m.mark.name)).toEqual(['x', 'y']);
    expect(c.marks.map((m) => [m.name, m.flushed])).toEqual([
      ['x', true],
      ['y', true],
    ]);
    expect(c.clears).toHaveLength(1);
    expect(c.receivedAudio()).toHaveLength(80000);
    const played = c.playedAudio();
    expect(played.length).toBeLessThan(80000);
    expect(played.length + c.clearedBytes()).toBe(80000);
    expect(c.bufferedMs()).toBe(0);
    expect(played.every((b) => b === 0x31)).toBe(true); // the head of what was received, nothing else
  });
});

describe('FakeTwilioClient: outbound conformance', () => {
  it('records every violation of the gateway, including frames before start', async () => {
    const stub = await startStub();
    const c = await client({ url: stub.url, autoStart: false });
    await until(() => stub.conns.length === 1);
    const gw = stub.conns[0];
    gw.ws.send(serializeClear(c.streamSid)); // before start
    await c.waitFor((cl) => cl.violations.length === 1);
    c.sendConnected();
    c.sendStart();
    await until(() => gw.frames.length === 2);
    const sid = c.streamSid;
    gw.ws.send(Buffer.from(serializeClear(sid)), { binary: true });
    gw.ws.send('{not json');
    gw.ws.send(JSON.stringify({ event: 'bogus', streamSid: sid }));
    gw.ws.send(serializeClear('MZ' + '0'.repeat(32)));
    gw.ws.send(JSON.stringify({ event: 'media', streamSid: sid, media: { track: 'outbound', payload: 'AAAA' } }));
    gw.ws.send(serializeMedia(sid, Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(100)])));
    gw.ws.send(JSON.stringify({ event: 'media', streamSid: sid, media: { payload: '' } }));
    gw.ws.send(JSON.stringify({ event: 'media', streamSid: sid, media: { payload: 'ab!d' } }));
    gw.ws.send(JSON.stringify({ event: 'mark', streamSid: sid, mark: {} }));
    gw.ws.send(serializeClear(sid)); // valid: no violation
    await c.waitFor((cl) => cl.clears.length === 1);
    expect(c.violations.map((v) => v.code)).toEqual([
      'before-start',
      'binary-frame',
      'malformed-json',
      'unsupported-event',
      'wrong-stream-sid',
      'extra-field',
      'header-in-payload',
      'bad-payload',
      'bad-payload',
      'missing-field',
    ]);
    expect(c.violations[1]).toMatchObject({ twilioCode: 31950, frame: `<binary frame, ${Buffer.byteLength(serializeClear(sid))} bytes>` });
    expect(c.violations[2]).toMatchObject({ twilioCode: 31951, frame: '{not json' });
    expect(c.receivedAudio()).toHaveLength(0);
    expect(c.received).toHaveLength(11);
  });
});

describe('FakeTwilioClient: upgrade signature and lifecycle', () => {
  const TOKEN = '12345';
  const PUBLIC = 'wss://gw.example.com';

  it('computes the X-Twilio-Signature of the public wss URL (known HMAC-SHA1 vector)', () => {
    expect(signUpgrade(TOKEN, 'wss://gw.example.com/twilio/media')).toBe('xOtUNom2O6Ixz0xt8ODDv8MkQUY=');
  });

  it('is accepted by a gateway that validates the upgrade, and refused with the https form or no signature', async () => {
    const stub = await startStub((req) => validateUpgradeSignature({ authToken: TOKEN, signature: req.headers['x-twilio-signature'], publicBaseUrl: PUBLIC, path: req.url ?? '/' }).ok);
    const ok = await client({ url: stub.url, authToken: TOKEN, signedUrl: `${PUBLIC}/twilio/media` });
    expect(ok.isOpen).toBe(true);
    expect(stub.conns[0].req.headers['x-twilio-signature']).toBe('xOtUNom2O6Ixz0xt8ODDv8MkQUY=');
    await expect(client({ url: stub.url, authToken: TOKEN, signedUrl: 'https://gw.example.com/twilio/media' })).rejects.toEqual(new FakeTwilioUpgradeError(403));
    await expect(client({ url: stub.url })).rejects.toBeInstanceOf(FakeTwilioUpgradeError);
    expect(stub.conns).toHaveLength(1);
  });

  it('reports a gateway close and stops sending quietly', async () => {
    const stub = await startStub();
    const c = await connectFakeTwilio({ url: stub.url });
    clients.push(c);
    await until(() => stub.conns[0]?.frames.length === 2);
    stub.conns[0].ws.close(1008, 'Invalid token');
    expect(await c.closed()).toEqual({ code: 1008, reason: 'Invalid token' });
    await expect(c.sendSilence(100)).resolves.toBeUndefined();
    expect(c.isOpen).toBe(false);
  });

  it('hangUp sends stop then closes; waitFor rejects on timeout', async () => {
    const stub = await startStub();
    const c = await client({ url: stub.url });
    await expect(c.waitFor(() => false, 30)).rejects.toThrow(/within 30 ms/);
    expect((await c.hangUp()).code).toBe(1000);
    await until(() => stub.conns[0].frames.length === 3);
    expect(stub.conns[0].frames[2].message?.event).toBe('stop');
  });

  it('an aborted send stops between frames without error', async () => {
    const stub = await startStub();
    const c = await client({ url: stub.url });
    const ac = new AbortController();
    const sending = c.sendSilence(3000, { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    await expect(sending).resolves.toBeUndefined();
    const sent = c.mediaFramesSent;
    expect(sent).toBeGreaterThan(0);
    await until(() => messages(stub.conns[0], 'media').length === sent);
    expect(sent).toBeLessThan(150);
  });
});

describe('mediaGapStats', () => {
  it('computes nearest-rank percentiles of inter-arrival gaps', () => {
    const arrivals = [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 225];
    expect(mediaGapStats(arrivals)).toEqual({ count: 10, mean: 22.5, p50: 20, p95: 45, p99: 45, max: 45, over: 1, overMs: 30 });
    expect(mediaGapStats([5]).count).toBe(0);
  });
});

describe('net helpers', () => {
  it('listen reports the port; closeServer ends open WebSocket clients and resolves', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    const { port, url } = await listen(server);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const c = new FakeTwilioClient({ url: `ws://127.0.0.1:${port}/` });
    await c.connect();
    await until(() => wss.clients.size === 1);
    await closeServer(server, wss);
    expect((await c.closed()).code).toBe(1006);
    expect(server.listening).toBe(false);
  });
});
