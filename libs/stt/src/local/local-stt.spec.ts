import type { Worker } from 'node:worker_threads';
import { SttError } from '../errors';
import { collect, createAudioFeed, mulawFrames } from '../testing/audio-feed';
import { fliteMulaw, wordErrorRate } from '../testing/flite-speech';
import type { SttEvent } from '../types';
import { acquireDecoderHost, releaseDecoderHost } from './decoder-host';
import type { LocalDecodeMetrics } from './local-stt-options';
import { createLocalStt, type LocalSttProvider } from './local-stt';

// These tests need Debian's pocketsphinx and pocketsphinx-en-us (tools/apt-packages.txt; `npm run setup` installs
// them, and so does CI). Without them createLocalStt throws STT_UNAVAILABLE naming the packages, and the tests fail.

jest.setTimeout(30_000); // real decoding in a worker: language-model decodes take 0.3–1 s each on a busy machine

const signal = (): AbortSignal => new AbortController().signal;
type Final = Extract<SttEvent, { type: 'final' }>;
const finals = (events: SttEvent[]): Final[] => events.filter((e): e is Final => e.type === 'final');
const transcript = (events: SttEvent[]): string => finals(events).map((f) => f.text).join(' ');

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const PHRASES = ['yes please', 'no thank you', 'i want to cancel my order', 'what are your opening hours', 'my account number is one two three four'];

describe('createLocalStt (pocketsphinx in a worker, fvad utterances)', () => {
  let stt: LocalSttProvider;
  const decodes: LocalDecodeMetrics[] = [];
  beforeAll(async () => {
    stt = await createLocalStt({ expectedPhrases: () => PHRASES, onDecode: (m) => decodes.push(m) });
  }, 30_000);
  afterAll(() => stt.close());
  beforeEach(() => {
    decodes.length = 0;
  });

  it('flite → μ-law 8 kHz → local STT: each expected phrase comes back exactly, through its grammar', async () => {
    for (const phrase of PHRASES) {
      const audio = await fliteMulaw(`${phrase}.`);
      const { events, error } = await collect(stt.transcribe(mulawFrames(audio), { signal: signal() }));
      expect(error).toBeUndefined();
      expect(transcript(events)).toBe(phrase);
      expect(events.map((e) => e.type)).toEqual(['speech_started', 'final', 'utterance_end']);
    }
    expect(decodes.map((d) => d.used)).toEqual(PHRASES.map(() => 'grammar'));
  });

  it('with the language model only, longer sentences come back within 20 % word error rate (measured 9.8 %)', async () => {
    // Five of the eight sentences measured for the README (6.6 % over the eight), the three hardest among them.
    const sentences = [
      'I would like to book a table for two at seven tonight.',
      'The weather will be sunny with a high of seventy degrees.',
      'I lost my credit card and need a new one.',
      'My dog likes to play in the park every morning.',
      'Please send the invoice to my email address.',
    ];
    let errors = 0;
    let words = 0;
    for (const s of sentences) {
      const { events } = await collect(stt.transcribe(mulawFrames(await fliteMulaw(s)), { signal: signal(), expectedPhrases: () => undefined }));
      const w = wordErrorRate(s, transcript(events));
      errors += w.errors;
      words += w.words;
    }
    expect(decodes.map((d) => d.lmReason)).toEqual(sentences.map(() => 'no-phrases'));
    expect(errors / words).toBeLessThanOrEqual(0.2);
  });

  it('a reply outside the grammar is decoded again with the language model', async () => {
    const text = 'My dog likes to play in the park.';
    const { events } = await collect(stt.transcribe(mulawFrames(await fliteMulaw(text)), { signal: signal() }));
    expect(decodes).toHaveLength(1);
    expect(decodes[0]).toMatchObject({ used: 'lm' });
    expect(['grammar-empty', 'grammar-score', 'grammar-coverage']).toContain(decodes[0].lmReason);
    expect(PHRASES).not.toContain(transcript(events));
    expect(wordErrorRate(text, transcript(events)).wer).toBeLessThanOrEqual(0.25);
  });

  it('grammar phrases may hold digits and unknown words: digits are spelled, unknown words left out', async () => {
    const phrases = ['my pin is 4321', 'zorblax please', 'cancel it'];
    const { events } = await collect(
      stt.transcribe(mulawFrames(await fliteMulaw('My pin is four three two one.')), { signal: signal(), expectedPhrases: () => phrases }),
    );
    expect(transcript(events)).toBe('my pin is four three two one');
    expect(decodes[0].used).toBe('grammar');
    // A set with nothing the dictionary knows: no grammar, the language model decodes.
    await collect(stt.transcribe(mulawFrames(await fliteMulaw('Cancel it.')), { signal: signal(), expectedPhrases: () => ['zorblax qwyjibo'] }));
    expect(decodes[1]).toMatchObject({ used: 'lm', lmReason: 'no-grammar' });
  });

  it('a grammar is set up once per phrase set, and the decoder is shared by providers of one configuration', async () => {
    const other = await createLocalStt();
    try {
      const before = stt.stats().grammars;
      const set = ['one small coffee', 'two small coffees', 'no coffee'];
      const audio = await fliteMulaw('No coffee.');
      for (let i = 0; i < 2; i++) await collect(stt.transcribe(mulawFrames(audio), { signal: signal(), expectedPhrases: () => set }));
      expect(stt.stats().grammars).toBe(before + 1);
      expect(other.stats().grammars).toBe(before + 1); // same decoder worker
      await collect(stt.transcribe(mulawFrames(audio), { signal: signal(), expectedPhrases: () => [...set, 'three small coffees'] }));
      expect(stt.stats().grammars).toBe(before + 2);
    } finally {
      await other.close();
    }
  });

  it('two utterances in one stream: speech_started at each onset, final + utterance_end after each decode, times in caller audio', async () => {
    const a = await fliteMulaw('Yes please.', { leadMs: 400, tailMs: 900 });
    const b = await fliteMulaw('No thank you.', { leadMs: 200, tailMs: 900 });
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    const { events } = await collect(stt.transcribe(mulawFrames(both), { signal: signal() }));
    // Decodes run in the worker while the VAD keeps listening: the second onset may come before the first final.
    const kinds = events.map((e) => e.type);
    expect(kinds.filter((k) => k !== 'speech_started')).toEqual(['final', 'utterance_end', 'final', 'utterance_end']);
    expect(kinds.filter((k) => k === 'speech_started')).toHaveLength(2);
    expect(kinds[0]).toBe('speech_started');
    const [f1, f2] = finals(events);
    expect([f1.text, f2.text]).toEqual(['yes please', 'no thank you']);
    expect(f1.speechFinal && f2.speechFinal).toBe(true);
    const aMs = a.length / 8;
    const starts = events.filter((e): e is Extract<SttEvent, { type: 'speech_started' }> => e.type === 'speech_started').map((e) => e.atMs ?? -1);
    expect(starts[0]).toBeGreaterThanOrEqual(300); // 400 ms of lead-in silence, minus what the VAD's onset run may reach back
    expect(starts[1]).toBeGreaterThan(aMs);
    for (const w of f1.words) expect(w.endMs).toBeLessThanOrEqual(aMs);
    for (const w of f2.words) expect(w.startMs).toBeGreaterThanOrEqual(aMs);
    const all = [...f1.words, ...f2.words];
    for (let i = 1; i < all.length; i++) expect(all[i].startMs).toBeGreaterThanOrEqual(all[i - 1].endMs);
    const ends = events.filter((e): e is Extract<SttEvent, { type: 'utterance_end' }> => e.type === 'utterance_end');
    expect(ends.map((e) => e.lastWordEndMs)).toEqual([f1.words[f1.words.length - 1].endMs, f2.words[f2.words.length - 1].endMs]);
  });

  it('a decoder worker that dies mid-decode costs that utterance (an error event) and the next one restarts it', async () => {
    const host = await acquireDecoderHost(
      { sphinxbaseLibrary: 'libsphinxbase.so.3', pocketsphinxLibrary: 'libpocketsphinx.so.3', modelDir: '/usr/share/pocketsphinx/model/en-us', decoderArgs: {} },
      32,
      undefined,
    );
    try {
      const feed = createAudioFeed();
      const run = collect(stt.transcribe(feed, { signal: signal(), expectedPhrases: () => undefined }));
      feed.push(await fliteMulaw('I would like to book a table for two at seven tonight.'));
      await until(() => stt.stats().decoderOutstanding > 0, 'a decode in flight');
      await (host as unknown as { worker: Worker }).worker.terminate();
      feed.push(await fliteMulaw('Yes please.'));
      feed.end();
      const { events, error } = await run;
      expect(error).toBeUndefined();
      const errors = events.flatMap((e) => (e.type === 'error' ? [e.error] : []));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'STT_PROVIDER_ERROR', retryable: true, provider: 'pocketsphinx' });
      expect(transcript(events)).toBe('yes please');
    } finally {
      await releaseDecoderHost(
        { sphinxbaseLibrary: 'libsphinxbase.so.3', pocketsphinxLibrary: 'libpocketsphinx.so.3', modelDir: '/usr/share/pocketsphinx/model/en-us', decoderArgs: {} },
        host,
      );
    }
  });

  it('the decoder worker is released with its last user', async () => {
    const config = { sphinxbaseLibrary: 'libsphinxbase.so.3', pocketsphinxLibrary: 'libpocketsphinx.so.3', modelDir: '/usr/share/pocketsphinx/model/en-us', decoderArgs: { '-beam': '1e-48' } };
    const host = await acquireDecoderHost(config, 32, undefined); // a configuration of its own: its own worker
    const p = await createLocalStt({ decoderArgs: config.decoderArgs });
    const { events } = await collect(p.transcribe(mulawFrames(await fliteMulaw('Yes please.')), { signal: signal(), expectedPhrases: () => PHRASES }));
    expect(transcript(events)).toBe('yes please');
    await p.close();
    expect(host.stats().running).toBe(true); // still held by `host`
    await releaseDecoderHost(config, host);
    expect(host.stats().running).toBe(false);
    expect(host.isClosed).toBe(true);
  });

  it('says clearly at startup when PocketSphinx is missing: STT_UNAVAILABLE naming the Debian packages', async () => {
    const e = await createLocalStt({ libraryPath: '/nonexistent/libpocketsphinx.so.3' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SttError);
    expect(e).toMatchObject({ code: 'STT_UNAVAILABLE', retryable: false, provider: 'pocketsphinx' });
    expect((e as Error).message).toContain('/nonexistent/libpocketsphinx.so.3');
    expect((e as Error).message).toMatch(/pocketsphinx and pocketsphinx-en-us/);
    const m = await createLocalStt({ modelDir: '/nonexistent/model' }).catch((x: unknown) => x);
    expect(m).toMatchObject({ code: 'STT_UNAVAILABLE', retryable: false });
    expect((m as Error).message).toContain('/nonexistent/model/cmudict-en-us.dict');
  });

  it('a closed provider ends new streams with an error and leaves the shared decoder to the others', async () => {
    const p = await createLocalStt();
    await p.close();
    const { error } = await collect(p.transcribe(mulawFrames(new Uint8Array(1600)), { signal: signal() }));
    expect(error).toMatchObject({ code: 'STT_PROVIDER_ERROR', retryable: false });
    const { events } = await collect(stt.transcribe(mulawFrames(await fliteMulaw('No thank you.')), { signal: signal() }));
    expect(transcript(events)).toBe('no thank you');
  });
});
