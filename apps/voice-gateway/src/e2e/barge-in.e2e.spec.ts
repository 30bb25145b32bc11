// Barge-in mid-sentence through the real server: VAD onset on the caller's audio confirmed by Deepgram interim
// words → abort (LLM request and Cartesia context closed on the fakes) → pacer cleared → `clear` → listen.
import type { FakeTwilioClient } from '@voice/testing';
import { type Harness, bytesAt, callerAudio, chatRequests, messagesOf, metricValue, placeCall, startHarness, waitForAsync } from './harness.spec-helper';

jest.setTimeout(30_000);

const SENTENCES = ['Sure.', 'Let me tell you about our opening hours in great detail.', 'We open at nine in the morning every weekday, and at ten on weekends.'];

describe('barge-in', () => {
  let h: Harness;
  let client: FakeTwilioClient | undefined;
  afterEach(async () => {
    await client?.close();
    await h.close();
  });

  it('clears mid-sentence, aborts the LLM and TTS requests, sends no frame of the old turn after the clear, keeps only what was played', async () => {
    h = await startHarness({
      // 50 ms of audio per character, generated at ~1.4x real time: the second sentence is still being
      // synthesized when the caller cuts in.
      cartesia: { msPerChar: 50, chunkMs: 100, chunkIntervalMs: 70 },
      deepgram: {
        script: [
          { atBytes: bytesAt(1000), kind: 'final', text: 'Hello there.' },
          { atBytes: bytesAt(2800), kind: 'interim', text: 'wait stop' },
          { atBytes: bytesAt(3400), kind: 'final', text: 'Wait, stop please.' },
        ],
      },
    });
    // The LLM is still writing when the caller interrupts (400 ms between deltas).
    h.openai.script.chat(
      { deltas: ['Sure. ', 'Let me tell you about our opening hours in great detail. ', 'We open at nine ', 'in the morning ', 'every weekday, ', 'and at ten ', 'on weekends.'], chunkDelayMs: 400 },
      { deltas: ['Okay.'], headersDelayMs: 600 },
    );
    client = await placeCall(h);
    await client.sendPcm16(callerAudio(['speech', 1000], ['silence', 1500], ['speech', 1000], ['silence', 1500]), 8000);
    await client.waitFor((c) => c.clears.length > 0 && chatRequests(h).length === 2 && c.marks.some((m) => m.name.endsWith(':0') && m.receivedAt > c.clears[0]! && m.echoedAt !== undefined), 8000);

    const clearAt = client.clears[0]!;
    expect(client.clears).toHaveLength(1);
    const turn1 = client.marks[0]!.name.split(':')[0]!;
    // No media of the aborted turn after the clear: the next reply cannot start before its LLM answers (600 ms
    // after a request that itself follows the final transcript), so any frame in this window would be stale.
    expect(client.mediaArrivalTimes().filter((t) => t > clearAt && t < clearAt + 500)).toEqual([]);
    expect(client.marks.filter((m) => m.name.startsWith(`${turn1}:`) && m.receivedAt > clearAt)).toEqual([]);
    // Upstream work was cancelled on the wire.
    const first = await chatRequests(h)[0]!.settled;
    expect(first.clientAborted).toBe(true);
    expect([...h.cartesia.contexts.values()].some((c) => c.cancelled)).toBe(true);
    // The history holds exactly the sentences whose marks Twilio echoed as played before the clear.
    const played = client.marks.filter((m) => m.name.startsWith(`${turn1}:`) && m.flushed === false).map((m) => SENTENCES[Number(m.name.split(':')[1])]);
    expect(played).toEqual(['Sure.']);
    expect(messagesOf(h, 1).slice(1)).toEqual([
      ['user', 'Hello there.'],
      ['assistant', played.join(' ')],
      ['user', 'Wait, stop please.'],
    ]);
    await waitForAsync(async () => (await metricValue(h, 'voice_gateway_turns_total', { outcome: 'completed' })) === 1, 5000);
    expect(await metricValue(h, 'voice_gateway_barge_ins_total', { trigger: 'vad+words' })).toBe(1);
    expect(await metricValue(h, 'voice_gateway_barge_in_reaction_seconds', { trigger: 'vad+words' })).toBe(1);
    expect(client.violations).toEqual([]);
  });
});
