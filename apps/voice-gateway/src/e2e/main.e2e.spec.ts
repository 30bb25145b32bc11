// The composition root as deployed: `node main.ts` with configuration only from the environment, SIGTERM drain,
// exit codes. Providers are the fakes, reached through the *_BASE_URL variables; the Cartesia fake's test
// certificate is trusted through NODE_EXTRA_CA_CERTS, as a private CA would be in production.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeTwilioClient, type FakeCartesia, type FakeDeepgram, type FakeOpenAi, startFakeCartesia, startFakeDeepgram, startFakeOpenAi } from '@voice/testing';
import { AUTH_TOKEN, PUBLIC_HOST, bytesAt, callerAudio, fakeEnv, tokenFrom } from './harness.spec-helper';
import { computeSignature } from '@voice/twilio-protocol';
import { SKIP_OFFLINE_ENV } from './offline.spec-helper';

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '../../../..');

function startMain(env: Record<string, string>): { child: ChildProcess; lines: Array<Record<string, unknown>>; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=@voice/source', '-r', '@swc-node/register', 'apps/voice-gateway/src/main.ts'], {
    cwd: ROOT,
    // swc-node compiles with the app's tsconfig (esModuleInterop for express/twilio default imports).
    env: { PATH: process.env['PATH'] ?? '', SWC_NODE_PROJECT: 'apps/voice-gateway/tsconfig.app.json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let err = '';
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        err += line;
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, lines, stderr: () => err, exited };
}

async function until<T>(f: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('main.ts', () => {
  let deepgram: FakeDeepgram;
  let openai: FakeOpenAi;
  let cartesia: FakeCartesia;
  let dir: string;
  beforeAll(async () => {
    deepgram = await startFakeDeepgram({ script: [{ atBytes: bytesAt(800), kind: 'final', text: 'Hi.' }] });
    openai = await startFakeOpenAi({ defaultReply: 'Hello from the gateway.' });
    cartesia = await startFakeCartesia({ msPerChar: 20 });
    dir = mkdtempSync(join(tmpdir(), 'gw-main-'));
    writeFileSync(join(dir, 'ca.pem'), cartesia.ca);
  });
  afterAll(async () => {
    await Promise.all([deepgram.close(), openai.close(), cartesia.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails at start with every configuration problem named (exit 1)', async () => {
    const p = startMain({ PUBLIC_HOST: 'gw.example.com/path', STT_PROVIDER: 'deepgram', PORT: 'eighty' });
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/PUBLIC_HOST must be host\[:port\]/);
    expect(p.stderr()).toMatch(/DEEPGRAM_API_KEY is required for STT_PROVIDER=deepgram/);
    expect(p.stderr()).toMatch(/PORT must be an integer/);
  });

  (process.env[SKIP_OFFLINE_ENV] === '1' ? it.skip : it)('with no keys at all runs the offline providers, prints how to reach it and refuses Twilio', async () => {
    const p = startMain({ PORT: '0', LOG_LEVEL: 'info' });
    try {
      const listening = await until(() => p.lines.find((l) => l['msg'] === 'voice gateway listening'), 30_000, 'the gateway to listen');
      expect(listening['providers']).toEqual([expect.stringMatching(/^STT local/), expect.stringMatching(/^LLM scripted/), expect.stringMatching(/^TTS local/)]);
      await until(() => (p.stderr().includes('softphone: open http://localhost:') ? true : undefined), 30_000, 'the banner');
      expect(p.stderr()).toMatch(/Twilio: calls refused: PUBLIC_HOST is not set/);
      expect(p.lines.some((l) => l['level'] === 40 && String(l['msg']).startsWith('Twilio calls are refused: PUBLIC_HOST is not set'))).toBe(true);
      const port = listening['port'] as number;
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/incoming-call`, { method: 'POST' })).status).toBe(503);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM refuses new calls, lets the active call finish, closes provider sockets and exits 0', async () => {
    const p = startMain({ ...fakeEnv({ deepgram, openai, cartesia }), PORT: '0', LOG_LEVEL: 'info', NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });
    try {
      const port = await until(() => p.lines.find((l) => l['msg'] === 'voice gateway listening')?.['port'] as number | undefined, 30_000, 'the gateway to listen');
      const params = { CallSid: 'CA' + 'c'.repeat(32) };
      const webhook = (): Promise<Response> =>
        fetch(`http://127.0.0.1:${port}/incoming-call`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}/incoming-call`, params) },
          body: new URLSearchParams(params).toString(),
        });
      const token = tokenFrom(await (await webhook()).text());
      const client = await new FakeTwilioClient({ url: `ws://127.0.0.1:${port}/ws`, authToken: AUTH_TOKEN, signedUrl: `wss://${PUBLIC_HOST}/ws`, callSid: params.CallSid, customParameters: { token } }).connect();
      await client.sendPcm16(callerAudio(['speech', 800], ['silence', 300]), 8000);
      p.child.kill('SIGTERM');
      await until(() => p.lines.find((l) => l['msg'] === 'draining: new calls refused, active calls continue'), 5000, 'the drain');
      expect((await webhook()).status).toBe(503);
      // The active call goes on: its reply is spoken (Cartesia over TLS trusted via NODE_EXTRA_CA_CERTS).
      await client.waitFor((c) => c.marks.some((m) => m.echoedAt !== undefined), 8000);
      expect(client.playedAudio().length).toBeGreaterThan(0);
      await client.hangUp();
      expect(await p.exited).toBe(0);
      expect(deepgram.openConnections()).toBe(0);
      expect(cartesia.openConnections()).toBe(0);
      expect(p.lines.find((l) => l['msg'] === 'media stream started')).toMatchObject({ callSid: params.CallSid, streamSid: client.streamSid });
      const all = JSON.stringify(p.lines) + p.stderr();
      for (const secret of [deepgram.apiKey, cartesia.apiKey, token]) expect(all).not.toContain(secret);
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});
