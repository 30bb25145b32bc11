// Contextual TTS through the real server (docs/architecture.md "Contextual TTS (CSM)"): TTS_PROVIDER=csm against the fake
// csm-gpu service, Cartesia (fake, TLS) as the fallback. The context each /tts request carries is read back from the
// fake: caller transcripts with their audio, agent replies cut to what the mark echoes said was played.
import { fakeCsmPcm, type FakeTwilioClient } from '@voice/testing';
import { bytesAt, callerAudio, chatRequests, metricValue, placeCall } from './harness.spec-helper';
import { CSM_TONE_HZ, type CsmHarness, bodyOf, cartesiaSaid, clipSamples, contextSecondsOf, rms, startCsmHarness, toneLetters, ttsFor } from './csm.spec-helper';

jest.setTimeout(30_000);

const concat = (...parts: Int16Array[]): Int16Array => {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Samples the fake generated for a request (its tone restarts at 0 for each request). */
const pcmOf = (samples: number): Int16Array => fakeCsmPcm(samples, CSM_TONE_HZ);

describe('TTS_PROVIDER=csm', () => {
  let t: CsmHarness;
  let client: FakeTwilioClient | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await t.close();
  });

  it('sends the first exchange as context with the second request: caller text + audio, agent text + audio of the played sentences', async () => {
    t = await startCsmHarness({
      deepgram: {
        script: [
          { atBytes: bytesAt(1000), kind: 'final', text: 'Hello there.' },
          { atBytes: bytesAt(4000), kind: 'final', text: 'And tomorrow?' },
        ],
      },
    });
    t.h.openai.script.chat({ deltas: ['Sure. ', 'We are open.'] }, { deltas: ['Yes, ', 'tomorrow too.'] });
    client = await placeCall(t.h);
    await client.sendPcm16(callerAudio(['speech', 1000], ['silence', 2000], ['speech', 1000], ['silence', 1500]), 8000);
    await client.waitFor(() => ttsFor(t.csm, 'Yes, tomorrow too.').length === 1, 8000);

    const [sure] = ttsFor(t.csm, 'Sure.');
    const [open] = ttsFor(t.csm, 'We are open.');
    const [second] = ttsFor(t.csm, 'Yes, tomorrow too.');
    // While reply 1 is being spoken, its own sentences are not context yet (nothing of it was heard).
    expect(sure!.body!.context.map((c) => [c.speaker_id, c.text])).toEqual([[1, 'Hello there.']]);
    expect(open!.body!.context.map((c) => [c.speaker_id, c.text])).toEqual([[1, 'Hello there.']]);
    expect(second!.body!.speaker_id).toBe(0);
    const ctx = second!.body!.context;
    expect(ctx.map((c) => [c.speaker_id, c.text])).toEqual([
      [1, 'Hello there.'],
      [0, 'Sure. We are open.'],
      [1, 'And tomorrow?'],
    ]);
    // The agent snippet is exactly CSM's 24 kHz audio of the two played sentences, end to end.
    const agent = clipSamples(ctx[1]!.audio);
    expect(agent.sampleRate).toBe(24_000);
    expect(agent.samples).toEqual(concat(pcmOf(sure!.samples), pcmOf(open!.samples)));
    // The caller snippets are the caller's own utterances (1 s of voiced speech each), decoded and at 24 kHz.
    for (const turn of [ctx[0]!, ctx[2]!]) {
      const caller = clipSamples(turn.audio);
      expect(caller.sampleRate).toBe(24_000);
      expect(caller.samples.length / 24_000).toBeGreaterThan(0.6);
      expect(caller.samples.length / 24_000).toBeLessThan(1.6);
      expect(rms(caller.samples)).toBeGreaterThan(1000);
    }
    expect(await metricValue(t.h, 'voice_gateway_csm_first_audio_seconds', { sentence: 'first' })).toBe(2);
    expect(await metricValue(t.h, 'voice_gateway_csm_fallbacks_total')).toBe(0);
    expect(client.violations).toEqual([]);
  });

  it('barge-in aborts the CSM request on the wire; the context keeps only the played part of the reply', async () => {
    // 80 ms of audio per 70 ms: the long sentence (2.9 s) is still being generated when the caller cuts in, well
    // after the first one's mark has echoed.
    t = await startCsmHarness({
      csmFake: { frameMs: 70 },
      deepgram: {
        script: [
          { atBytes: bytesAt(1000), kind: 'final', text: 'Hello there.' },
          { atBytes: bytesAt(3200), kind: 'interim', text: 'wait stop' },
          { atBytes: bytesAt(3800), kind: 'final', text: 'Wait, stop please.' },
        ],
      },
    });
    const long = 'Let me tell you about our opening hours in great detail.';
    t.h.openai.script.chat({ deltas: ['Sure. ', `${long} `, 'We open at nine ', 'in the morning.'], chunkDelayMs: 400 }, { deltas: ['Okay.'], headersDelayMs: 300 });
    client = await placeCall(t.h);
    await client.sendPcm16(callerAudio(['speech', 1000], ['silence', 1900], ['speech', 1000], ['silence', 1500]), 8000);
    await client.waitFor(() => ttsFor(t.csm, 'Okay.').length === 1, 8000);

    expect(client.clears).toHaveLength(1);
    const [cut] = ttsFor(t.csm, long);
    expect((await cut!.settled).outcome).toBe('client-aborted');
    expect(chatRequests(t.h)).toHaveLength(2);
    const turn1 = client.marks[0]!.name.split(':')[0]!;
    const played = client.marks.filter((m) => m.name.startsWith(`${turn1}:`) && m.flushed === false).map((m) => Number(m.name.split(':')[1]));
    expect(played).toEqual([0]);
    const ctx = ttsFor(t.csm, 'Okay.')[0]!.body!.context;
    expect(ctx.map((c) => [c.speaker_id, c.text])).toEqual([
      [1, 'Hello there.'],
      [0, 'Sure.'],
      [1, 'Wait, stop please.'],
    ]);
    expect(clipSamples(ctx[1]!.audio).samples).toEqual(pcmOf(ttsFor(t.csm, 'Sure.')[0]!.samples));
    expect(client.violations).toEqual([]);
  });

  it('falls back on a slow first audio and on a 503 (reasons in /metrics), and retries a 413 with a halved window', async () => {
    t = await startCsmHarness({
      env: { CSM_TIMEOUT_MS: '400', CSM_MAX_CONTEXT_SECONDS: '4' },
      // csm-gpu's own cap on context audio: the third request's ~3.7 s are refused, the halved window (2 s) accepted.
      csmFake: { maxContextSeconds: 2.5 },
      deepgram: {
        script: [
          { atBytes: bytesAt(1000), kind: 'final', text: 'Hello there.' },
          { atBytes: bytesAt(3500), kind: 'final', text: 'Are you open?' },
          { atBytes: bytesAt(6000), kind: 'final', text: 'And tomorrow?' },
        ],
      },
    });
    t.csm.script({ firstAudioDelayMs: 3000 }, { status: 503 });
    t.h.openai.script.chat({ deltas: ['Sure thing.'] }, { deltas: ['We are open.'] }, { deltas: ['Yes, tomorrow too.'] });
    client = await placeCall(t.h);
    await client.sendPcm16(callerAudio(['speech', 1000], ['silence', 1500], ['speech', 1000], ['silence', 1500], ['speech', 1000], ['silence', 1500]), 8000);
    await client.waitFor((c) => ttsFor(t.csm, 'Yes, tomorrow too.').length === 2 && c.marks.filter((m) => m.echoedAt !== undefined).length === 3, 10_000);

    // Timeout: CSM's request was cancelled on the wire and Cartesia spoke the sentence; 503: Cartesia again.
    expect((await ttsFor(t.csm, 'Sure thing.')[0]!.settled).outcome).toBe('client-aborted');
    expect(ttsFor(t.csm, 'We are open.')[0]!.status).toBe(503);
    expect(cartesiaSaid(t.h)).toEqual(['Sure thing.', 'We are open.']);
    const metrics = await (await fetch(`${t.h.http}/metrics`)).text();
    expect(metrics).toMatch(/^voice_gateway_csm_fallbacks_total\{reason="timeout"\} 1$/m);
    expect(metrics).toMatch(/^voice_gateway_csm_fallbacks_total\{reason="status:503"\} 1$/m);
    // What Cartesia said was heard, so it is context too.
    expect(bodyOf(ttsFor(t.csm, 'We are open.')[0]!)!.context.map((c) => c.text)).toEqual(['Hello there.', 'Sure thing.', 'Are you open?']);

    // 413: the 4 s window (five turns, over the service's 2.5 s), then the same sentence once more within 2 s.
    const [refused, retried] = ttsFor(t.csm, 'Yes, tomorrow too.');
    expect(refused!.status).toBe(413);
    expect(refused!.errorCode).toBe('context_audio_too_long');
    expect(contextSecondsOf(bodyOf(refused!))).toBeGreaterThan(2.5);
    expect(contextSecondsOf(bodyOf(refused!))).toBeLessThanOrEqual(4);
    expect(retried!.status).toBe(200);
    expect(retried!.contextSeconds).toBeGreaterThan(0);
    expect(retried!.contextSeconds).toBeLessThanOrEqual(2);
    expect(contextSecondsOf(retried!.body)).toBeCloseTo(retried!.contextSeconds, 3);
    expect(retried!.body!.context.at(-1)?.text).toBe('And tomorrow?');
    expect((await retried!.settled).outcome).toBe('completed');
    expect(metrics).toMatch(/^voice_gateway_csm_requests_total\{outcome="completed",shrunk="true"\} 1$/m);
    expect(await metricValue(t.h, 'voice_gateway_csm_fallbacks_total')).toBe(2);
    expect(client.violations).toEqual([]);
  });

  it('backchannel on: "Mm-hm." from the fallback, then the CSM audio, never overlapping', async () => {
    t = await startCsmHarness({
      env: { CSM_BACKCHANNEL: 'true', CSM_BACKCHANNEL_AFTER_MS: '200', CSM_TIMEOUT_MS: '3000' },
      deepgram: { script: [{ atBytes: bytesAt(1000), kind: 'final', text: 'Hello there.' }] },
    });
    t.csm.script({ firstAudioDelayMs: 800 });
    t.h.openai.script.chat({ deltas: ['Sure, we are open.'] });
    client = await placeCall(t.h);
    await client.sendPcm16(callerAudio(['speech', 1000], ['silence', 500]), 8000);
    await client.waitFor((c) => c.marks.some((m) => m.echoedAt !== undefined), 8000);

    expect(cartesiaSaid(t.h)).toEqual(['Mm-hm.']);
    const letters = toneLetters(client.receivedAudio()).replace(/\./g, '');
    // The fallback's phrase, at most one frame straddling the switch, then only CSM.
    expect(letters).toMatch(/^a{3,}m?b+$/);
    expect((letters.match(/b/g) ?? []).length * 160).toBeGreaterThan((ttsFor(t.csm, 'Sure, we are open.')[0]!.samples / 3) * 0.9);
    expect(await metricValue(t.h, 'voice_gateway_csm_backchannels_total', { completed: 'true' })).toBe(1);
    expect(await metricValue(t.h, 'voice_gateway_csm_fallbacks_total')).toBe(0);
    expect(client.violations).toEqual([]);
  });
});
