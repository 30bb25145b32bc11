import { type AudioChunk } from '@voice/audio-codec';
import { CSM_FRAME_SAMPLES } from '@voice/testing';
import { CsmBridgeTts, TtsError, withFallback } from '@voice/tts-providers';
import { describeTtsContract, type TtsContractFake } from '@voice/tts-providers/testing';
import { expectedMulaw, type Harness, startHarness } from './bridge.spec-helper';

// "Through the bridge is just another TtsProvider": CsmBridgeTts (libs/tts-providers) against this app and the fake
// CSM service behind it.

function bridgeContractFake(h: Harness): TtsContractFake {
  return {
    // csm-gpu (or its proxy) refusing: the bridge passes the provider code on, the client maps it back.
    failNext: (kind, n) => h.csm.script(...Array.from({ length: n }, () => (kind === 'auth' ? { status: 401 } : { status: 429, retryAfter: '0' }))),
    slowNext: () => h.csm.script({ durationMs: 3000, chunkDelayMs: 20 }),
    waitForCancel: (ms) => h.csm.waitFor(() => h.csm.ttsRequests().some((r) => r.outcome === 'client-aborted'), ms, 'a cancelled CSM request'),
    openConnections: () => h.bridge.sessions.size + h.csm.inFlight(),
  };
}

let sessions = 0;
describeTtsContract('CsmBridgeTts (through apps/csm-bridge)', async () => {
  const h = await startHarness({ csm: { msPerChar: 20 } });
  const provider = new CsmBridgeTts({ baseUrl: `ws://127.0.0.1:${h.port}`, sessionId: `contract-${++sessions}`, responseTimeoutMs: 2000 });
  return { provider, fake: bridgeContractFake(h), teardown: async () => { await provider.close(); await h.close(); } };
});

async function collect(it: AsyncIterable<AudioChunk>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c.data);
  return Buffer.concat(parts);
}

describe('CsmBridgeTts', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('yields exactly the bridge audio per sentence, over one session whose context grows', async () => {
    h = await startHarness();
    const tts = new CsmBridgeTts({ baseUrl: `http://127.0.0.1:${h.port}`, sessionId: 'CA123' });
    const signal = new AbortController().signal;
    expect(await collect(tts.synthesize('Hello world', { signal, context: { turnId: 't1', sentenceIndex: 0 } }))).toEqual(expectedMulaw(7 * CSM_FRAME_SAMPLES));
    expect(await collect(tts.synthesize('Again.', { signal, context: { turnId: 't1', sentenceIndex: 1 } }))).toEqual(expectedMulaw(4 * CSM_FRAME_SAMPLES));
    expect([...h.bridge.sessions.keys()]).toEqual(['CA123']);
    expect(h.csm.ttsRequests()[1]?.body?.context.map((t) => t.text)).toEqual(['Hello world']);
    await tts.close();
  });

  it('bridge errors become TtsErrors; an unknown profile is TTS_BAD_REQUEST; a duplicate session is refused', async () => {
    h = await startHarness();
    const signal = new AbortController().signal;
    const a = new CsmBridgeTts({ baseUrl: `ws://127.0.0.1:${h.port}`, sessionId: 'dup', voiceProfileId: 'nobody' });
    const e1 = await collect(a.synthesize('Hi.', { signal })).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(TtsError);
    expect(e1).toMatchObject({ code: 'TTS_BAD_REQUEST', retryable: false });
    const b = new CsmBridgeTts({ baseUrl: `ws://127.0.0.1:${h.port}`, sessionId: 'dup' });
    expect(await collect(b.synthesize('Hi.', { signal })).catch((e: unknown) => e)).toMatchObject({ code: 'TTS_PROVIDER_ERROR', status: 409 });
    h.csm.setStatus('loading');
    const c = new CsmBridgeTts({ baseUrl: `ws://127.0.0.1:${h.port}`, sessionId: 'loading' });
    expect(await collect(c.synthesize('Hi.', { signal })).catch((e: unknown) => e)).toMatchObject({ code: 'TTS_PROVIDER_ERROR', retryable: true });
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('composes like any provider: withFallback(bridge, other) speaks with the other when the bridge fails', async () => {
    h = await startHarness();
    h.csm.script({ status: 503 });
    const primary = new CsmBridgeTts({ baseUrl: `ws://127.0.0.1:${h.port}`, sessionId: 'fb' });
    const fallback = new CsmBridgeTts({ baseUrl: `ws://127.0.0.1:${h.port}`, sessionId: 'fb-2' });
    const reasons: string[] = [];
    const tts = withFallback(primary, fallback, { onFallback: (e) => reasons.push(e.reason) });
    expect((await collect(tts.synthesize('Hello world', { signal: new AbortController().signal }))).length).toBe(expectedMulaw(7 * CSM_FRAME_SAMPLES).length);
    expect(reasons).toEqual(['error:TTS_PROVIDER_ERROR']);
    await tts.close();
  });
});
