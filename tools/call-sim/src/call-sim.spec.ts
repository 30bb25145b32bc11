import { writeWav } from '@voice/audio-codec';
import { concatPcm, quietNoise, syntheticVowel } from '@voice/stt/testing';
import { type FakeCartesia, type FakeDeepgram, type FakeOpenAi, startFakeCartesia, startFakeDeepgram, startFakeOpenAi } from '@voice/testing';
import { runCallSim } from './call-sim';
import { type GatewayProcess, startGatewayProcess } from './gateway-process.spec-helper';
import { speechSegments } from './speech-segments';
import { formatTurnTable } from './turn-report';
import { parseStreamTwiml } from './twiml';

jest.setTimeout(60_000);

describe('parseStreamTwiml', () => {
  it('reads the stream URL and parameters, unescaping XML', () => {
    const t = parseStreamTwiml('<?xml version="1.0"?><Response><Connect><Stream url="wss://h/ws"><Parameter name="token" value="a&amp;b"/><Parameter name="x" value="1"/></Stream></Connect></Response>');
    expect(t).toEqual({ url: 'wss://h/ws', parameters: { token: 'a&b', x: '1' } });
    expect(() => parseStreamTwiml('<Response><Say>hi</Say></Response>')).toThrow(/no <Connect><Stream url>/);
  });
});

describe('speechSegments', () => {
  it('finds the caller utterances in room tone', () => {
    const pcm = concatPcm(quietNoise(500), syntheticVowel(1000), quietNoise(800), syntheticVowel(600), quietNoise(400));
    const segs = speechSegments(pcm);
    expect(segs).toHaveLength(2);
    expect(segs[0]!.startMs).toBeGreaterThanOrEqual(480);
    expect(segs[0]!.endMs).toBeLessThanOrEqual(1520);
    expect(segs[1]!.endMs).toBeCloseTo(2900, -2);
  });
});

describe('call-sim against the real gateway process (fake providers)', () => {
  let deepgram: FakeDeepgram;
  let openai: FakeOpenAi;
  let cartesia: FakeCartesia;
  let gw: GatewayProcess | undefined;
  beforeAll(async () => {
    deepgram = await startFakeDeepgram({ script: [{ atBytes: 8000, kind: 'final', text: 'Hello.' }] });
    openai = await startFakeOpenAi({ defaultReply: 'Hi there. How can I help?' });
    cartesia = await startFakeCartesia({ msPerChar: 30 });
    gw = await startGatewayProcess({ deepgram, openai, cartesia });
  });
  afterAll(async () => {
    const code = await gw?.stop();
    await Promise.all([deepgram?.close(), openai?.close(), cartesia?.close()]);
    expect(code).toBe(0);
  });

  it('plays a WAV as a signed Twilio call and reports each reply', async () => {
    const wav = writeWav(concatPcm(syntheticVowel(1000), quietNoise(300)), 8000);
    const r = await runCallSim({ url: gw!.url, wav, authToken: '12345', publicHost: 'gw.example.com', tailMs: 2000 });
    expect(r.violations).toEqual([]);
    expect(r.turns).toHaveLength(1);
    const t = r.turns[0]!;
    expect(t.turnId).toMatch(/^t\w+$/);
    expect(t.marksPlayed).toBe(2);
    expect(t.callerEndMs).toBe(1000);
    expect(t.responseMs).toBeGreaterThan(0);
    expect(t.responseMs).toBeLessThan(1500);
    // 'Hi there.' + 'How can I help?' at 30 ms per non-space character.
    expect(t.agentAudioMs).toBeGreaterThanOrEqual((8 + 12) * 30);
    expect(r.playedMulaw.length).toBe(t.agentAudioMs * 8);
    expect(r.close?.code).toBe(1000);
    expect(formatTurnTable(r.turns)).toContain(`| 1 | ${t.turnId} | 1.00 |`);
  });
});
