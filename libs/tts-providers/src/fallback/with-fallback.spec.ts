import { type AudioChunk, type AudioFormat, MULAW_8K, pcm16Format, sameFormat } from '@voice/audio-codec';
import { type FakeCartesia, type FakeElevenLabs, startFakeCartesia, startFakeElevenLabs } from '@voice/testing';
import { CartesiaTts } from '../cartesia/cartesia-tts';
import { ElevenLabsTts } from '../elevenlabs/elevenlabs-tts';
import { drain, joined } from '../testing/drain';
import { TtsError } from '../tts-error';
import type { SynthesizeOptions, TtsProvider } from '../types';
import { type FallbackEvent, withFallback } from './with-fallback';

const MS_PER_CHAR = 10;
const expectedBytes = (text: string): number => text.replace(/\s+/g, '').length * MS_PER_CHAR * 8;

/** A provider whose behaviour the test fixes: PCM16 tone chunks, or no audio at all. */
class ScriptedProvider implements TtsProvider {
  readonly name = 'scripted';
  calls = 0;
  constructor(
    readonly format: AudioFormat,
    private readonly chunks: number,
    private readonly bytesPerChunk: number,
  ) {}
  async *synthesize(_text: string, o: SynthesizeOptions): AsyncGenerator<AudioChunk> {
    this.calls += 1;
    for (let i = 0; i < this.chunks && !o.signal.aborted; i++) {
      await new Promise((r) => setImmediate(r));
      const data = new Uint8Array(this.bytesPerChunk);
      const view = new DataView(data.buffer);
      for (let s = 0; s + 1 < data.length; s += 2) view.setInt16(s, Math.round(8000 * Math.sin(s / 8)), true);
      yield { data, format: this.format };
    }
  }
}

const collect = async (it: AsyncIterable<AudioChunk>, format: AudioFormat = MULAW_8K): Promise<Uint8Array> =>
  joined(await drain(it, (c) => expect(sameFormat(c.format, format)).toBe(true)));

describe('withFallback', () => {
  let cartesia: FakeCartesia;
  let eleven: FakeElevenLabs;
  let primary: CartesiaTts;
  let fallback: ElevenLabsTts;
  let events: FallbackEvent[];
  const signal = new AbortController().signal;

  beforeEach(async () => {
    cartesia = await startFakeCartesia({ msPerChar: MS_PER_CHAR, chunkMs: 40 });
    eleven = await startFakeElevenLabs({ msPerChar: MS_PER_CHAR, chunkMs: 40 });
    primary = new CartesiaTts({ apiKey: cartesia.apiKey, voiceId: 'v', baseUrl: cartesia.url, tls: { ca: cartesia.ca }, retry: { maxRetries: 0 } });
    fallback = new ElevenLabsTts({ apiKey: eleven.apiKey, voiceId: 'v', baseUrl: eleven.url, retry: { maxRetries: 0 } });
    events = [];
  });

  afterEach(async () => {
    await primary.close();
    await fallback.close();
    await cartesia.close();
    await eleven.close();
  });

  /** Opens the primary's socket first, so a cold TLS connect cannot eat the first-audio timeout of a test. */
  const warm = async (): Promise<void> => void (await collect(primary.synthesize('Warm.', { signal })));
  const wrap = (timeoutMs: number) => withFallback(primary, fallback, { firstAudioTimeoutMs: timeoutMs, onFallback: (e) => events.push(e) });

  it('uses the primary when it answers in time, and reports nothing', async () => {
    const tts = wrap(3000); // a cold first TLS connect in a test worker can take a few hundred ms
    expect(tts.format).toEqual(MULAW_8K);
    expect((await collect(tts.synthesize('All good.', { signal }))).length).toBe(expectedBytes('All good.'));
    expect(events).toEqual([]);
    expect(eleven.sessions).toHaveLength(0);
  });

  it('a silent-open primary socket: switches on timeout, aborts the primary, yields only the fallback audio', async () => {
    // The primary starts "generating" but its first chunk comes after the timeout; Cartesia keeps sending after the cancel.
    await warm();
    cartesia.scriptContexts({ firstChunkDelayMs: 400, chunkIntervalMs: 5 });
    const tts = wrap(150);
    const audio = await collect(tts.synthesize('Speak this.', { signal, context: { turnId: 't', sentenceIndex: 0 } }));
    expect(audio.length).toBe(expectedBytes('Speak this.'));
    expect(events).toEqual([expect.objectContaining({ reason: 'timeout', primary: 'cartesia', fallback: 'elevenlabs', turnId: 't', sentenceIndex: 0 })]);
    expect(events[0]?.elapsedMs).toBeGreaterThanOrEqual(140);
    const ctx = cartesia.contexts.get('t-2');
    await cartesia.waitFor(() => ctx?.cancelled === true);
    await cartesia.waitFor(() => (ctx?.chunksAfterCancel ?? 0) > 0, 3000);
    expect(eleven.sessions[0]?.texts).toEqual(['Speak this. ']);
  });

  it('a failing primary: switches with reason error:<code>', async () => {
    cartesia.failUpgrades({ status: 401 });
    const tts = wrap(3000);
    const audio = await collect(tts.synthesize('Fallback please.', { signal }));
    expect(audio.length).toBe(expectedBytes('Fallback please.'));
    expect(events.map((e) => [e.reason, e.error?.code])).toEqual([['error:TTS_AUTH', 'TTS_AUTH']]);
  });

  it('keeps the rest of a reply on the fallback after a switch', async () => {
    await warm();
    cartesia.scriptContexts({ hang: true });
    const tts = wrap(100);
    await collect(tts.synthesize('One.', { signal, context: { turnId: 'r', sentenceIndex: 0 } }));
    await collect(tts.synthesize('Two.', { signal, context: { turnId: 'r', sentenceIndex: 1, isLastSentence: true } }));
    expect(events).toHaveLength(1);
    expect([...cartesia.contexts.keys()].filter((id) => id.startsWith('r-'))).toEqual(['r-2']);
    expect(eleven.sessions[0]?.texts).toEqual(['One. ', 'Two. ']);
  });

  it('throws the fallback error when both fail', async () => {
    cartesia.failUpgrades({ status: 429 });
    eleven.failUpgrades({ status: 401 });
    const tts = wrap(3000);
    await expect(collect(tts.synthesize('Nobody.', { signal }))).rejects.toMatchObject({ code: 'TTS_AUTH', provider: 'elevenlabs' });
    expect(events.map((e) => e.reason)).toEqual(['error:TTS_RATE_LIMITED']);
  });

  it('an error after the primary yielded audio is thrown, not fallen back', async () => {
    cartesia.scriptContexts({ close: { code: 1011, afterChunks: 2 }, chunkIntervalMs: 5 });
    const tts = wrap(3000);
    await expect(collect(tts.synthesize('This sentence breaks halfway through.', { signal }))).rejects.toBeInstanceOf(TtsError);
    expect(events).toEqual([]);
    expect(eleven.upgrades).toHaveLength(0);
  });

  it('an abort while waiting for the primary ends quietly without falling back', async () => {
    await warm();
    cartesia.scriptContexts({ hang: true });
    const tts = wrap(5000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect((await collect(tts.synthesize('Never mind.', { signal: ac.signal, context: { turnId: 'a' } }))).length).toBe(0);
    expect(events).toEqual([]);
    await cartesia.waitFor(() => cartesia.contexts.get('a-2')?.cancelled === true);
  });

  it('a primary that ends without audio falls back with error:TTS_NO_AUDIO', async () => {
    const empty = new ScriptedProvider(MULAW_8K, 0, 0);
    const tts = withFallback(empty, fallback, { onFallback: (e) => events.push(e) });
    expect((await collect(tts.synthesize('Hello.', { signal }))).length).toBe(expectedBytes('Hello.'));
    expect(events.map((e) => e.reason)).toEqual(['error:TTS_NO_AUDIO']);
  });

  it('transcodes a fallback of another format once into the primary format', async () => {
    const pcm = new ScriptedProvider(pcm16Format(16_000), 10, 640); // 10 × 20 ms of PCM16 at 16 kHz
    cartesia.scriptContexts({ hang: true });
    const tts = withFallback(primary, pcm, { firstAudioTimeoutMs: 80 });
    const audio = await collect(tts.synthesize('Switch formats.', { signal }), MULAW_8K);
    expect(audio.length).toBe(1600); // 200 ms at 8 kHz μ-law
    expect(pcm.calls).toBe(1);
  });

  it('a metrics sink that throws does not break the switch', async () => {
    cartesia.failUpgrades({ status: 500 });
    const tts = withFallback(primary, fallback, {
      onFallback: () => {
        throw new Error('sink down');
      },
    });
    expect((await collect(tts.synthesize('Still speaks.', { signal }))).length).toBe(expectedBytes('Still speaks.'));
  });
});
