import { MULAW_8K, sameFormat } from '@voice/audio-codec';
import { CartesiaTts } from './cartesia-tts';

// Live check against the real Cartesia API; skipped (visibly) without a key. Never counted as coverage.
const key = process.env['CARTESIA_API_KEY'];
const live = key ? describe : describe.skip;
if (!key) console.warn('cartesia-tts.live.spec.ts: CARTESIA_API_KEY is not set, skipping the live Cartesia test');

live('CartesiaTts (live)', () => {
  it('speaks a two-sentence reply as μ-law 8 kHz over one context', async () => {
    const tts = new CartesiaTts({ apiKey: key ?? '', voiceId: process.env['CARTESIA_VOICE_ID'] ?? 'a0e99841-438c-4a64-b679-ae501e7d6091' });
    const signal = new AbortController().signal;
    try {
      for (const [i, text] of ['Hello from the live test.', 'This is the second sentence.'].entries()) {
        let bytes = 0;
        for await (const c of tts.synthesize(text, { signal, context: { turnId: `live-${Date.now()}`, sentenceIndex: i, isLastSentence: i === 1 } })) {
          expect(sameFormat(c.format, MULAW_8K)).toBe(true);
          bytes += c.data.length;
        }
        expect(bytes).toBeGreaterThan(4000); // at least half a second of speech
      }
    } finally {
      await tts.close();
    }
  }, 30_000);
});
