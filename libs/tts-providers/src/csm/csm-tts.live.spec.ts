import { MULAW_8K, sameFormat } from '@voice/audio-codec';
import { ContextBuffer } from '@voice/context-buffer';
import { CsmTts } from './csm-tts';

// Live check against a running services/csm-gpu (real or tiny checkpoint); skipped (visibly) without an endpoint.
const endpoint = process.env['CSM_ENDPOINT'];
const live = endpoint ? describe : describe.skip;
if (!endpoint) console.warn('csm-tts.live.spec.ts: CSM_ENDPOINT is not set, skipping the live CSM test');

live('CsmTts (live)', () => {
  it.each(['stream', 'wav'] as const)('speaks one sentence with context (%s), transcoded to μ-law 8 kHz', async (mode) => {
    const tts = new CsmTts({ baseUrl: endpoint ?? '', apiKey: process.env['CSM_API_KEY'], mode, maxAudioLengthMs: 3000, responseTimeoutMs: 60_000 });
    const conversation = new ContextBuffer();
    conversation.addCallerTurn('Hello, do you deliver?', { samples: new Int16Array(16_000), sampleRate: 8000 });
    let bytes = 0;
    try {
      for await (const c of tts.synthesize('Yes, we do.', { signal: new AbortController().signal, context: { turnId: 'live', conversation } })) {
        expect(sameFormat(c.format, MULAW_8K)).toBe(true);
        bytes += c.data.length;
      }
    } finally {
      await tts.close();
    }
    expect(bytes).toBeGreaterThan(0);
  }, 120_000);
});
