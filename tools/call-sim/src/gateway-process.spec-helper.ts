// Runs the real gateway (apps/voice-gateway/src/main.ts) as a child process, configured only through its
// environment, with every provider pointed at fakes: how an operator would run it, minus the vendors.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type FakeCartesia, type FakeDeepgram, type FakeOpenAi } from '@voice/testing';

const ROOT = resolve(__dirname, '../../..');

export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<number | null>;
}

export async function startGatewayProcess(f: { deepgram: FakeDeepgram; openai: FakeOpenAi; cartesia: FakeCartesia }, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'call-sim-'));
  writeFileSync(join(dir, 'ca.pem'), f.cartesia.ca);
  const child = spawn(process.execPath, ['--conditions=@voice/source', '-r', '@swc-node/register', 'apps/voice-gateway/src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '',
      SWC_NODE_PROJECT: 'apps/voice-gateway/tsconfig.app.json',
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      PORT: '0',
      PUBLIC_HOST: 'gw.example.com',
      TWILIO_AUTH_TOKEN: '12345',
      DEEPGRAM_API_KEY: f.deepgram.apiKey,
      DEEPGRAM_BASE_URL: f.deepgram.url,
      GROQ_API_KEY: f.openai.apiKey,
      GROQ_BASE_URL: f.openai.baseUrlGroq,
      CARTESIA_API_KEY: f.cartesia.apiKey,
      CARTESIA_VOICE_ID: 'voice-test',
      CARTESIA_BASE_URL: f.cartesia.url,
      IDLE_REPROMPT_MS: '0',
      ...env,
    },
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let port: number;
  try {
    port = await new Promise<number>((resolvePort, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`gateway did not start: ${err}`)), 30_000);
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /"port":(\d+).*"msg":"voice gateway listening"/.exec(buf);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      });
      void exited.then((code) => reject(new Error(`gateway exited ${code}: ${err}`)));
    });
  } catch (e) {
    child.kill('SIGKILL'); // never leave a gateway behind a failed start: it would keep jest alive
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
