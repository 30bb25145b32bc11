// Fully offline, through the real server: flite-synthesized caller lines (μ-law 8 kHz) from the fake Twilio client
// → pocketsphinx (grammar from the scripted dialog's state) → the scripted ordering dialog → flite → pacer → the
// client's playback. The agent's recorded audio is transcribed with pocketsphinx and must say, sentence by sentence,
// what the script says at every step of the order; the read-back of the order is interrupted (barge-in).
import { MULAW_8K, concatBytes } from '@voice/audio-codec';
import { createLocalStt } from '@voice/stt';
import { FakeTwilioClient, newTwilioSid } from '@voice/testing';
import { computeSignature } from '@voice/twilio-protocol';
import { metricValue, tokenFrom } from './harness.spec-helper';
import {
  BARGE_IN_LINE,
  OFFLINE_AUTH_TOKEN,
  OFFLINE_PUBLIC_HOST,
  ORDER_LINES,
  ORDER_STATES,
  type OfflineGateway,
  describeOffline,
  expectedReplies,
  spoken,
  startOfflineGateway,
  synthesizeLines,
  wordErrorRate,
} from './offline.spec-helper';

jest.setTimeout(150_000);

async function call(g: OfflineGateway): Promise<FakeTwilioClient> {
  const callSid = newTwilioSid('CA');
  const params = { CallSid: callSid, From: '+15550001111', To: '+15550002222' };
  const res = await fetch(`http://127.0.0.1:${g.port}/incoming-call`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeSignature(OFFLINE_AUTH_TOKEN, `https://${OFFLINE_PUBLIC_HOST}/incoming-call`, params) },
    body: new URLSearchParams(params).toString(),
  });
  const token = tokenFrom(await res.text());
  return new FakeTwilioClient({ url: `ws://127.0.0.1:${g.port}/ws`, authToken: OFFLINE_AUTH_TOKEN, signedUrl: `wss://${OFFLINE_PUBLIC_HOST}/ws`, callSid, customParameters: { token } }).connect();
}

/** Turn ids in the order their first mark arrived. */
const turnsOf = (c: FakeTwilioClient): string[] => [...new Set(c.marks.map((m) => m.name.split(':')[0] as string))];

/** Audio of each sentence: the media between the previous mark and its own. */
function sentenceAudio(c: FakeTwilioClient): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let parts: Uint8Array[] = [];
  for (const r of c.received) {
    if (r.frame?.event === 'media') parts.push(r.frame.audio);
    else if (r.frame?.event === 'mark') {
      out.set(r.frame.name, concatBytes(parts));
      parts = [];
    } else if (r.frame?.event === 'clear') parts = [];
  }
  return out;
}

async function* chunks(mulaw: Uint8Array): AsyncGenerator<{ data: Uint8Array; format: typeof MULAW_8K }> {
  const padded = concatBytes([mulaw, new Uint8Array(8000).fill(0xff)]);
  for (let i = 0; i < padded.length; i += 160) yield { data: padded.subarray(i, i + 160), format: MULAW_8K };
}

describeOffline('offline phone order')('a phone order with no API keys', () => {
  let g: OfflineGateway | undefined;
  let client: FakeTwilioClient | undefined;
  afterEach(async () => {
    await client?.close();
    await g?.close();
  });

  it('goes through every step of the ordering script, with one barge-in, and says what the script says', async () => {
    const [lines, replies] = [await synthesizeLines(ORDER_LINES), expectedReplies(ORDER_LINES)];
    g = await startOfflineGateway();
    const c = (client = await call(g));
    const silence = new Uint8Array(8 * 800).fill(0xff);
    /** The reply to caller line `k` (0 = the opening) has had every mark echoed. */
    const played = (k: number) => (x: FakeTwilioClient) => {
      const id = turnsOf(x)[k];
      return id !== undefined && x.marks.filter((m) => m.name.startsWith(`${id}:`) && m.echoedAt !== undefined).length === replies[k]!.length;
    };
    await c.waitFor(played(0), 20_000);
    for (let i = 0; i < ORDER_LINES.length; i++) {
      if (i === BARGE_IN_LINE) {
        // Over the read-back (the reply to the previous line), in real time like a person: once its first sentence
        // has played (its mark echoed, so the turn is on record even when the host is slow), 300 ms into the next.
        const before = turnsOf(c).length;
        await c.waitFor((x) => turnsOf(x).length > before, 15_000);
        await new Promise((r) => setTimeout(r, 300));
        await c.sendMulaw(lines[i]!);
        await c.sendMulaw(silence, { realtime: false });
      } else {
        // The gateway does not care how fast caller audio arrives between turns: send it at once.
        await c.sendMulaw(concatBytes([lines[i]!, silence]), { realtime: false });
      }
      if (i + 1 === BARGE_IN_LINE) continue; // the next line cuts into this reply
      await c.waitFor(played(i + 1), 25_000).catch((e: Error) => {
        const states = g!.logs.filter((l) => l['msg'] === 'scripted reply').map((l) => `${l['state']}→${l['next']} (${l['outcome']} ${l['intent'] ?? ''})`);
        throw new Error(`line ${i} "${ORDER_LINES[i]}": reply not played (${e.message}); dialog so far: ${states.join(', ')}`);
      });
    }
    // The goodbye has played: the gateway hangs up.
    expect(await c.closed()).toEqual({ code: 1000, reason: 'dialog finished' });

    // Every step of the script, each line understood as said.
    const steps = g.logs.filter((l) => l['msg'] === 'scripted reply' && l['outcome'] !== 'opening');
    expect(steps.map((l) => [l['next'], l['outcome']])).toEqual(ORDER_STATES.map((s) => [s, 'matched']));

    // One barge-in: the read-back was cleared before its end (the sentence playing then never got its mark, or
    // had it echoed as flushed), and nothing of it came after the clear.
    const turns = turnsOf(c);
    expect(turns).toHaveLength(ORDER_LINES.length + 1);
    expect(c.clears).toHaveLength(1);
    const readBack = turns[BARGE_IN_LINE]!;
    const readBackMarks = c.marks.filter((m) => m.name.startsWith(`${readBack}:`));
    expect(readBackMarks.filter((m) => m.flushed === false).length).toBeLessThan(replies[BARGE_IN_LINE]!.length);
    expect(readBackMarks.every((m) => m.receivedAt < c.clears[0]!)).toBe(true);
    expect(await metricValue(g, 'voice_gateway_barge_ins_total')).toBe(1);

    // The agent's audio, transcribed with pocketsphinx (a grammar of every sentence the script could have said in
    // this call, the language model where the grammar does not fit): each played sentence must be recognised as the
    // sentence the script says at that point, i.e. closer to it than to any other candidate.
    const stt = await createLocalStt();
    try {
      const candidates = [...new Set([...replies.flat(), ...expectedReplies(['nothing']).flat(), ...expectedReplies(['i would like a tea', 'no thanks', 'no that is wrong']).flat()].map(spoken))];
      const audio = sentenceAudio(c);
      const results: Array<{ expected: string; heard: string; wer: number; closest: string }> = [];
      for (const [k, id] of turns.entries()) {
        for (const [i, text] of replies[k]!.entries()) {
          const mark = c.marks.find((m) => m.name === `${id}:${i}`);
          if (mark?.flushed !== false) continue; // cut by the barge-in, or never sent
          const heard: string[] = [];
          for await (const ev of stt.transcribe(chunks(audio.get(mark.name)!), { signal: new AbortController().signal, expectedPhrases: () => candidates })) {
            if (ev.type === 'final') heard.push(ev.text);
          }
          const h = heard.join(' ');
          const closest = candidates.reduce((best, cand) => (wordErrorRate(cand, h) < wordErrorRate(best, h) ? cand : best));
          results.push({ expected: spoken(text), heard: h, wer: wordErrorRate(spoken(text), h), closest });
        }
      }
      // Every sentence of every reply was played except the read-back's cut ones.
      expect(results.length).toBe(replies.flat().length - replies[BARGE_IN_LINE]!.length + readBackMarks.filter((m) => m.flushed === false).length);
      const meanWer = results.reduce((s, r) => s + r.wer, 0) / results.length;
      if (meanWer > 0) console.warn(`agent audio through pocketsphinx: mean WER ${meanWer.toFixed(3)} over ${results.length} sentences`, results.filter((r) => r.wer > 0));
      expect(results.filter((r) => wordErrorRate(r.expected, r.heard) > wordErrorRate(r.closest, r.heard))).toEqual([]);
      expect(meanWer).toBeLessThanOrEqual(0.1);
    } finally {
      await stt.close();
    }
  });
});
