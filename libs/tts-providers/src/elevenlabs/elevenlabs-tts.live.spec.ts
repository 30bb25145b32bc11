import { MULAW_8K, sameFormat } from '@voice/audio-codec';
import { ElevenLabsTts } from './elevenlabs-tts';

// Live check against the real ElevenLabs API; skipped (visibly) without a key. Never counted as coverage.
const key = process.env['ELEVENLABS_API_KEY'];
const live = key ? describe : describe.skip;
if (!key) console.warn('elevenlabs-tts.live.spec.ts: ELEVENLABS_API_KEY is not set, skipping the live ElevenLabs test');

live('ElevenLabsTts (live)', () => {
  it('speaks a two-sentence reply as ulaw_8000 on one socket', async () => {
    const tts = new ElevenLabsTts({ apiKey: key ?? '', voiceId: process.env['ELEVENLABS_VOICE_ID'] ?? '21m00Tcm4TlvDq8ikWAM' });
    const signal = new AbortController().signal;
    const turnId = `live-${Date.now()}`;
    try {
      for (const [i, text] of ['Hello from the live test.', 'This is the second sentence.'].entries()) {
        let bytes = 0;
        for await (const c of tts.synthesize(text, { signal, context: { turnId, sentenceIndex: i, isLastSentence: i === 1 } })) {
          expect(sameFormat(c.format, MULAW_8K)).toBe(true);
          bytes += c.data.length;
        }
        expect(bytes).toBeGreaterThan(4000);
      }
    } finally {
      await tts.close();
    }
  }, 30_000);
});
