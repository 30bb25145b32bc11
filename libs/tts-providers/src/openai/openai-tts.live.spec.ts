import { MULAW_8K, sameFormat } from '@voice/audio-codec';
import { OpenAiTts } from './openai-tts';

// Live check against the real OpenAI API; skipped (visibly) without a key. Never counted as coverage.
const key = process.env['OPENAI_API_KEY'];
const live = key ? describe : describe.skip;
if (!key) console.warn('openai-tts.live.spec.ts: OPENAI_API_KEY is not set, skipping the live OpenAI TTS test');

live('OpenAiTts (live)', () => {
  it('speaks one sentence, transcoded to μ-law 8 kHz', async () => {
    const tts = new OpenAiTts({ apiKey: key ?? '' });
    let bytes = 0;
    for await (const c of tts.synthesize('Hello from the live test.', { signal: new AbortController().signal })) {
      expect(sameFormat(c.format, MULAW_8K)).toBe(true);
      bytes += c.data.length;
    }
    expect(bytes).toBeGreaterThan(4000);
  }, 30_000);
});
