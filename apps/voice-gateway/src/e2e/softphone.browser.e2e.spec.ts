// The softphone in real Chromium (playwright-core, Debian's /usr/bin/chromium), fully offline: Chromium's fake
// microphone plays a WAV of the caller's whole order (flite lines separated by silences timed to the agent's
// replies, one line timed to cut into the read-back: a barge-in), the page streams it to the gateway on the offline
// providers, plays the agent, shows both transcripts and the latency waterfall. A screenshot is kept in
// apps/voice-gateway/test-output/softphone/ (git-ignored).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeMulaw, resample, writeWav } from '@voice/audio-codec';
import { type BrowserContext, chromium } from 'playwright-core';
import {
  BARGE_IN_LINE,
  ORDER_LINES,
  ORDER_STATES,
  type OfflineGateway,
  SKIP_OFFLINE_ENV,
  describeOffline,
  expectedReplies,
  startOfflineGateway,
  synthesizeLines,
} from './offline.spec-helper';

jest.setTimeout(180_000);

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const OUT = resolve(__dirname, '../../test-output/softphone');
/** Chromium's switches for a test that must never touch the network, plus the fake microphone. */
const chromiumArgs = (wav: string): string[] => [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-audio-capture=${wav}`,
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** Reply start after the caller stops: VAD hangover (500 ms) + decode + first flite sentence, with room for load. */
const REPLY_START_MS = 1500;
/** Quiet after a reply before the caller speaks again. */
const MARGIN_MS = 2000;
/** Into the read-back when the barge-in line starts. */
const BARGE_IN_AFTER_MS = 1500;

/**
 * The caller's side of the call as one 16 kHz WAV. Chromium loops the file: a long silence at the end keeps the
 * second pass from starting before the agent has said goodbye and hung up.
 */
async function callerWav(): Promise<{ pcm: Int16Array; lineStartsMs: number[] }> {
  const lines = (await synthesizeLines(ORDER_LINES)).map((m) => decodeMulaw(m));
  const replyMs = (await synthesizeLines(expectedReplies(ORDER_LINES).map((r) => r.join(' ')))).map((m) => m.length / 8);
  const parts: Int16Array[] = [];
  const lineStartsMs: number[] = [];
  let atMs = 0;
  const pause = (ms: number) => {
    parts.push(new Int16Array(Math.round(ms * 8)));
    atMs += ms;
  };
  pause(REPLY_START_MS + replyMs[0]! + MARGIN_MS);
  for (const [i, line] of lines.entries()) {
    lineStartsMs.push(atMs);
    parts.push(line);
    atMs += line.length / 8;
    const next = i + 1;
    if (next === BARGE_IN_LINE) pause(REPLY_START_MS + BARGE_IN_AFTER_MS);
    else if (next < lines.length) pause(REPLY_START_MS + replyMs[next]! + MARGIN_MS);
  }
  pause(60_000);
  const pcm8k = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    pcm8k.set(p, o);
    o += p.length;
  }
  return { pcm: resample(pcm8k, 8000, 16000), lineStartsMs };
}

describeOffline('softphone in Chromium')('the softphone in Chromium, offline', () => {
  let g: OfflineGateway | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  afterEach(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await g?.close();
  });

  it('completes an order by voice, with a barge-in, showing the transcript and the latency waterfall', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: run 'npm run setup' (or set ${SKIP_OFFLINE_ENV}=1 to skip this test)`);
    mkdirSync(OUT, { recursive: true });
    const wavPath = join(OUT, 'caller.wav');
    const { pcm } = await callerWav();
    writeFileSync(wavPath, writeWav(pcm, 16000));

    g = await startOfflineGateway();
    profile = mkdtempSync(join(tmpdir(), 'softphone-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: chromiumArgs(wavPath), viewport: { width: 1280, height: 1400 } });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    // Nothing but the gateway: any other request would be the browser reaching for the network.
    const foreign: string[] = [];
    page.on('request', (r) => !r.url().startsWith(`http://127.0.0.1:${g!.port}/`) && !r.url().startsWith(`ws://127.0.0.1:${g!.port}/`) && !r.url().startsWith('data:') && foreign.push(r.url()));

    await page.goto(`http://127.0.0.1:${g.port}/`);
    await page.click('#call');
    await page.waitForSelector('body[data-state="in-call"]', { timeout: 10_000 });
    await page.waitForSelector('body[data-state="ended"]', { timeout: 150_000 });
    await page.screenshot({ path: join(OUT, 'order.png'), fullPage: true });

    expect(await page.textContent('#status')).toBe('Call ended: dialog finished.');
    const steps = g.logs.filter((l) => l['msg'] === 'scripted reply' && l['outcome'] !== 'opening');
    expect(steps.map((l) => [l['next'], l['outcome']])).toEqual(ORDER_STATES.map((s) => [s, 'matched']));
    // The transcript: six caller utterances, the agent's replies ending in the goodbye.
    const caller = await page.$$eval('.msg.caller.final', (els) => els.map((e) => e.lastChild?.textContent ?? ''));
    expect(caller).toHaveLength(ORDER_LINES.length);
    const agent = await page.$$eval('.msg.agent', (els) => els.map((e) => e.lastChild?.textContent?.trim() ?? ''));
    expect(agent).toHaveLength(ORDER_LINES.length + 1);
    expect(agent.at(-1)).toMatch(/Goodbye!$/);
    // The read-back was cut: some of it struck through, a clear reached the page.
    expect(await page.$$eval('.msg.agent .s.cut', (els) => els.length)).toBeGreaterThan(0);
    const stats = await page.evaluate(() => (globalThis as unknown as { softphone: { stats: Record<string, number> } }).softphone.stats);
    expect(stats['clears']).toBe(1);
    expect(stats['marksEchoed']).toBeGreaterThanOrEqual(ORDER_LINES.length + 1);
    // The waterfall: one row per answered turn, each with all four stages.
    const rows = await page.$$eval('.lat-row', (els) => els.map((e) => e.querySelectorAll('.seg').length));
    expect(rows).toEqual(ORDER_LINES.map(() => 4));
    expect(await page.textContent('#latency-summary')).toMatch(/^median \d+ ms over 6 turns$/);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
