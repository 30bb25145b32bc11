import { type AudioChunk, encodeMulaw, MULAW_8K, pcm16Format } from '@voice/audio-codec';
import { concatPcm, quietNoise, syntheticVowel } from '../testing/synthetic-speech';
import { segmentCallerAudio } from './segment-caller-audio';
import { type SegmenterEvent, VadSegmenter } from './segmenter';
import { createVad, type Vad } from './vad';

const ctx = (stopped = () => false) => ({ provider: 'test', stopped });

async function* chunks(mulaw: Uint8Array, size: number): AsyncGenerator<AudioChunk> {
  for (let i = 0; i < mulaw.length; i += size) yield { data: mulaw.subarray(i, i + size), format: MULAW_8K };
}

describe('segmentCallerAudio', () => {
  let vad: Vad;
  let segmenter: VadSegmenter;
  beforeEach(async () => {
    vad = await createVad({ sampleRate: 8000, mode: 3, onsetMs: 60, hangoverMs: 300 });
    segmenter = new VadSegmenter(vad, { preRollMs: 200, postRollMs: 100 });
  });
  afterEach(() => vad.dispose());

  it('decodes μ-law chunks of any size into the segmenter and flushes at the end', async () => {
    const pcm = concatPcm(quietNoise(600), syntheticVowel(700), quietNoise(900, { seed: 2 }));
    const events: SegmenterEvent[] = [];
    const ended = await segmentCallerAudio(chunks(encodeMulaw(pcm), 333)[Symbol.asyncIterator](), segmenter, (e) => events.push(...e), ctx());
    expect(ended).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['onset', 'segment', 'offset']);
  });

  it('returns false, without flushing, once stopped after a read', async () => {
    let reads = 0;
    const input = (async function* (): AsyncGenerator<AudioChunk> {
      yield { data: new Uint8Array(0), format: MULAW_8K };
      yield { data: encodeMulaw(syntheticVowel(400)), format: MULAW_8K };
    })();
    const events: SegmenterEvent[] = [];
    const ended = await segmentCallerAudio(input, segmenter, (e) => events.push(...e), ctx(() => ++reads > 1));
    expect(ended).toBe(false);
    expect(reads).toBe(2);
    expect(events).toEqual([]);
  });

  it('rejects another format with STT_BAD_INPUT naming the provider', async () => {
    const input = (async function* (): AsyncGenerator<AudioChunk> {
      yield { data: new Uint8Array(320), format: pcm16Format(16000) };
    })();
    await expect(segmentCallerAudio(input, segmenter, () => undefined, ctx())).rejects.toMatchObject({
      code: 'STT_BAD_INPUT',
      provider: 'test',
      retryable: false,
      message: 'test: expected mulaw 8000 Hz, got pcm16 16000 Hz',
    });
  });

  it('turns a failing input into STT_BAD_INPUT carrying the cause', async () => {
    const boom = new Error('socket gone');
    const input = (async function* (): AsyncGenerator<AudioChunk> {
      yield* [];
      throw boom;
    })();
    await expect(segmentCallerAudio(input, segmenter, () => undefined, ctx())).rejects.toMatchObject({ code: 'STT_BAD_INPUT', cause: boom });
  });
});
