// Runs against the real Deepgram service when DEEPGRAM_API_KEY is set; skipped (visibly) otherwise.
import { collect, mulawFrames } from '../testing/audio-feed';
import { utteranceMulaw } from '../testing/synthetic-speech';
import type { SttEvent } from '../types';
import { createDeepgramStt } from './deepgram-stt';

const key = process.env['DEEPGRAM_API_KEY'];
const d = key ? describe : describe.skip;
if (!key) console.warn('deepgram-stt.live.spec: DEEPGRAM_API_KEY is not set, live Deepgram tests skipped');

d(key ? 'createDeepgramStt (live Deepgram)' : 'createDeepgramStt (live Deepgram): skipped, DEEPGRAM_API_KEY is not set', () => {
  it('streams 3 s of μ-law in real time, with KeepAlive, Finalize and CloseStream, and ends without errors', async () => {
    const stt = createDeepgramStt({ apiKey: key as string, model: process.env['DEEPGRAM_MODEL'] ?? 'nova-3' });
    const audio = utteranceMulaw(500, 1500, 1000);
    const { events, error } = await collect(stt.transcribe(mulawFrames(audio, 20), { signal: AbortSignal.timeout(20_000) }));
    console.info('live deepgram events', JSON.stringify(events.map((e: SttEvent) => e.type)));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  }, 30_000);

  it('a wrong key is refused with STT_AUTH', async () => {
    const stt = createDeepgramStt({ apiKey: 'not-a-real-key' });
    const { error } = await collect(stt.transcribe(mulawFrames(new Uint8Array(1600)), { signal: AbortSignal.timeout(10_000) }));
    expect(error).toMatchObject({ code: 'STT_AUTH', retryable: false });
  }, 15_000);
});
