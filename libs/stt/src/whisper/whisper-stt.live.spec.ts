// Runs against the real OpenAI API when OPENAI_API_KEY is set; skipped (visibly) otherwise.
import { collect, mulawFrames } from '../testing/audio-feed';
import { utteranceMulaw } from '../testing/synthetic-speech';
import { createWhisperStt } from './whisper-stt';

const key = process.env['OPENAI_API_KEY'];
const d = key ? describe : describe.skip;
if (!key) console.warn('whisper-stt.live.spec: OPENAI_API_KEY is not set, live Whisper tests skipped');

d(key ? 'createWhisperStt (live OpenAI)' : 'createWhisperStt (live OpenAI): skipped, OPENAI_API_KEY is not set', () => {
  it('uploads one VAD segment and ends with speech_started … utterance_end, no errors', async () => {
    const stt = createWhisperStt({ apiKey: key as string, model: process.env['OPENAI_STT_MODEL'] ?? 'whisper-1', language: 'en' });
    const { events, error } = await collect(stt.transcribe(mulawFrames(utteranceMulaw(400, 1200, 800)), { signal: AbortSignal.timeout(30_000) }));
    console.info('live whisper events', JSON.stringify(events));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'speech_started' });
    expect(events[events.length - 1]).toMatchObject({ type: 'utterance_end' });
  }, 40_000);

  it('a wrong key is refused with STT_AUTH', async () => {
    const stt = createWhisperStt({ apiKey: 'sk-not-a-real-key' });
    const { error } = await collect(stt.transcribe(mulawFrames(utteranceMulaw(300, 600, 700)), { signal: AbortSignal.timeout(20_000) }));
    expect(error).toMatchObject({ code: 'STT_AUTH', retryable: false });
  }, 30_000);
});
