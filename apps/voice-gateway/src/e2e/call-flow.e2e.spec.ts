// A whole phone call through the real server: webhook → signed media stream → Deepgram (fake) → Groq (fake) →
// Cartesia (fake, TLS) → pacer → the fake Twilio client's playback buffer and mark echoes.
import type { FakeTwilioClient } from '@voice/testing';
import { type Harness, bytesAt, callerAudio, chatRequests, messagesOf, metricValue, placeCall, startHarness, waitForAsync, waitUntil } from './harness.spec-helper';

jest.setTimeout(30_000);


describe('a phone call end to end', () => {
  let h: Harness;
  let client: FakeTwilioClient | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await h.close();
  });

  it('answers two turns, speaking each reply with a mark per sentence and a history of what was played', async () => {
    h = await startHarness({
      deepgram: {
        script: [
          { atBytes: bytesAt(600), kind: 'interim', text: 'Hello' },
          { atBytes: bytesAt(1000), kind: 'final', text: 'Hello there.' },
          { atBytes: bytesAt(3800), kind: 'final', text: 'What are your hours?' },
        ],
      },
    });
    h.openai.script.chat({ deltas: ['Hi! ', 'How can I ', 'help you today?'] }, { deltas: ['We are open ', 'from nine to five.'] });
    client = await placeCall(h);
    await client.sendPcm16(callerAudio(['speech', 1000], ['silence', 2000], ['speech', 800], ['silence', 200]), 8000);
    await client.waitFor((c) => c.marks.length >= 3 && c.marks.every((m) => m.echoedAt !== undefined) && chatRequests(h).length === 2, 8000);
    await client.waitFor((c) => c.bufferedMs() === 0, 3000);
    // The last echo crossed the socket; let the gateway process it.
    await waitForAsync(async () => (await metricValue(h, 'voice_gateway_turns_total', { outcome: 'completed' })) === 2);

    expect(messagesOf(h, 0).slice(1)).toEqual([['user', 'Hello there.']]);
    expect(messagesOf(h, 1).slice(1)).toEqual([
      ['user', 'Hello there.'],
      ['assistant', 'Hi! How can I help you today?'],
      ['user', 'What are your hours?'],
    ]);
    expect(messagesOf(h, 0)[0]?.[0]).toBe('system');
    // One mark per sentence, named <turnId>:<sentenceIndex>, every one played (none flushed: no barge-in).
    const names = client.marks.map((m) => m.name);
    expect(names).toHaveLength(3);
    expect(names.map((n) => n.split(':')[1])).toEqual(['0', '1', '0']);
    expect(client.marks.every((m) => m.flushed === false)).toBe(true);
    // What Cartesia generated is what the caller heard (each sentence padded to whole 20 ms frames).
    const transcripts = [...h.cartesia.contexts.values()].flatMap((c) => c.inputs.map((i) => ((i as { transcript?: string }).transcript ?? '').trim())).filter(Boolean);
    expect(transcripts).toEqual(['Hi!', 'How can I help you today?', 'We are open from nine to five.']);
    const generatedMs = transcripts.reduce((ms, t) => ms + t.replace(/\s/g, '').length * 20, 0);
    expect(client.playedAudio().length).toBeGreaterThanOrEqual(generatedMs * 8);
    expect(client.playedAudio().length).toBeLessThan(generatedMs * 8 + 3 * 160);
    expect(client.violations).toEqual([]);

    expect(await metricValue(h, 'voice_gateway_stage_seconds', { stage: 'stt_final_to_first_frame' })).toBe(2);
    expect(await metricValue(h, 'voice_gateway_stage_seconds', { stage: 'tts_first_audio_to_first_frame' })).toBe(2);
    expect(await metricValue(h, 'voice_gateway_mark_round_trip_seconds')).toBe(3);
    expect(await metricValue(h, 'voice_gateway_turns_total', { outcome: 'completed' })).toBe(2);
    expect(h.gateway.activeCalls()).toBe(1);

    await client.hangUp();
    await h.deepgram.connections[0]?.closed;
    await waitUntil(() => h.gateway.activeCalls() === 0);
    expect(h.deepgram.connections[0]?.controls.map((c) => c.type)).toContain('CloseStream');
    // Correlation: every line about the call carries its callSid and streamSid; no secret is ever logged.
    const callLines = h.logs.filter((l) => ['media stream started', 'barge-in', 'call ended', 'media stream closed'].includes(String(l['msg'])));
    expect(callLines.length).toBeGreaterThanOrEqual(3);
    for (const l of callLines) expect(l).toMatchObject({ callSid: client.callSid, streamSid: client.streamSid });
    const text = JSON.stringify(h.logs);
    for (const secret of [h.deepgram.apiKey, h.cartesia.apiKey]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/[\w-]{12}\.[\w-]{32}/); // a per-call token
  });

  it('sends keypad digits to the dialog as user input', async () => {
    h = await startHarness();
    h.openai.script.chat({ deltas: ['You chose option one.'] });
    client = await placeCall(h);
    await client.sendSilence(200);
    client.sendDtmf('1');
    client.sendDtmf('2');
    client.sendDtmf('#');
    await client.sendSilence(1200);
    await client.waitFor((c) => c.marks.some((m) => m.echoedAt !== undefined), 5000);
    expect(messagesOf(h, 0).slice(1)).toEqual([['user', '[caller pressed keys: 1 2]']]);
    expect(client.playedAudio().length).toBeGreaterThan(0);
    expect(client.violations).toEqual([]);
  });
});

