// TTS_PROVIDER=csm-bridge through the real apps/csm-bridge. The bridge is an app, and apps may not import apps
// (module boundaries), so it runs as deployed: `node apps/csm-bridge/src/main.ts` on port 0 against the fake csm-gpu.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { type FakeCsm, type FakeTwilioClient, startFakeCsm } from '@voice/testing';
import { type Harness, bytesAt, callerAudio, metricValue, placeCall, startHarness } from './harness.spec-helper';
import { CSM_TONE_HZ, toneLetters, ttsFor } from './csm.spec-helper';

jest.setTimeout(30_000);

const ROOT = resolve(__dirname, '../../../..');

async function startBridge(csmUrl: string): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--conditions=@voice/source', '-r', '@swc-node/register', 'apps/csm-bridge/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', SWC_NODE_PROJECT: 'apps/csm-bridge/tsconfig.app.json', CSM_ENDPOINT: csmUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`csm-bridge did not start: ${err}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"csm bridge listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      rej(new Error(`csm-bridge exited: ${err}`));
    });
  });
  return {
    child,
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('TTS_PROVIDER=csm-bridge', () => {
  let csm: FakeCsm;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  let h: Harness;
  let client: FakeTwilioClient | undefined;
  afterAll(async () => {
    await client?.close();
    await h?.close();
    await bridge?.stop();
    await csm?.close();
  });

  it('speaks a turn with CSM through the bridge session of the call', async () => {
    csm = await startFakeCsm({ msPerChar: 50, toneHz: CSM_TONE_HZ });
    bridge = await startBridge(csm.url);
    h = await startHarness({
      env: { TTS_PROVIDER: 'csm-bridge', CSM_BRIDGE_URL: `ws://127.0.0.1:${bridge.port}` },
      deepgram: { script: [{ atBytes: bytesAt(1000), kind: 'final', text: 'Hello there.' }] },
    });
    h.openai.script.chat({ deltas: ['Sure, we are open.'] });
    client = await placeCall(h);
    await client.sendPcm16(callerAudio(['speech', 1000], ['silence', 500]), 8000);
    await client.waitFor((c) => c.marks.some((m) => m.echoedAt !== undefined), 10_000);

    const [req] = ttsFor(csm, 'Sure, we are open.');
    expect((await req!.settled).outcome).toBe('completed');
    // All of it is CSM's tone (none from the Cartesia fallback), and as long as what the fake generated.
    const letters = toneLetters(client.receivedAudio()).replace(/\./g, '');
    expect(letters).toMatch(/^b+$/);
    expect(letters.length * 160).toBeGreaterThan((req!.samples / 3) * 0.9);
    expect(h.cartesia.contexts.size).toBe(0);
    expect(await metricValue(h, 'voice_gateway_csm_first_audio_seconds', { sentence: 'first' })).toBe(1);
    expect(await metricValue(h, 'voice_gateway_csm_requests_total', { outcome: 'completed' })).toBe(1);
    expect(client.violations).toEqual([]);
  });
});
