// CSM end-to-end helpers: the gateway harness plus the fake csm-gpu service, context-clip decoding, and a tone
// classifier that tells the fallback's audio (the Cartesia fake: 440 Hz) from CSM's (the CSM fake, set to 1000 Hz).
import { decodeMulaw } from '@voice/audio-codec';
import { type CsmRecordedRequest, type CsmTtsBody, type FakeCsm, type FakeCsmOptions, startFakeCsm } from '@voice/testing';
import { type Harness, type HarnessOptions, startHarness } from './harness.spec-helper';

export const CSM_TONE_HZ = 1000;
export const FALLBACK_TONE_HZ = 440;

export interface CsmHarness {
  readonly h: Harness;
  readonly csm: FakeCsm;
  close(): Promise<void>;
}

/** The gateway with `TTS_PROVIDER=csm` against the fake service (Cartesia, keyed in the harness, is the fallback). */
export async function startCsmHarness(o: HarnessOptions & { csmFake?: FakeCsmOptions } = {}): Promise<CsmHarness> {
  const csm = await startFakeCsm({ msPerChar: 50, toneHz: CSM_TONE_HZ, ...o.csmFake });
  const h = await startHarness({ ...o, env: { TTS_PROVIDER: 'csm', CSM_ENDPOINT: csm.url, ...o.env } });
  return {
    h,
    csm,
    async close() {
      await h.close();
      await csm.close();
    },
  };
}

/** What the fallback (the Cartesia fake) was asked to say, one string per context, in order. */
export const cartesiaSaid = (h: Harness): string[] =>
  [...h.cartesia.contexts.values()].map((c) => (c.inputs as Array<{ transcript?: unknown }>).map((i) => (typeof i.transcript === 'string' ? i.transcript : '')).join('').trim());

/** The `/tts` requests whose `prompt_text` is `text`, in order. */
export const ttsFor = (csm: FakeCsm, text: string): CsmRecordedRequest[] => csm.ttsRequests().filter((r) => promptOf(r) === text);

/** The JSON body as sent: a scripted status is answered before the schema is checked, so `body` is unset then. */
export function bodyOf(r: CsmRecordedRequest): CsmTtsBody | undefined {
  if (r.body) return r.body;
  try {
    return JSON.parse(r.rawBody.toString('utf8')) as CsmTtsBody;
  } catch {
    return undefined;
  }
}

const promptOf = (r: CsmRecordedRequest): string | undefined => bodyOf(r)?.prompt_text;

/** A context clip (base64 of a 44-byte-header PCM16 WAV) as its sample rate and samples. */
export function clipSamples(b64: string | null | undefined): { sampleRate: number; samples: Int16Array } {
  if (!b64) throw new Error('the context turn has no audio');
  const bytes = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(bytes.length - 44);
  copy.set(bytes.subarray(44));
  return { sampleRate: bytes.readUInt32LE(24), samples: new Int16Array(copy.buffer, 0, copy.length >> 1) };
}

/** Seconds of context audio in a body, from its WAVs (the fake records none for a request it refused). */
export function contextSecondsOf(body: CsmTtsBody | undefined): number {
  let s = 0;
  for (const c of body?.context ?? []) {
    if (!c.audio) continue;
    const clip = clipSamples(c.audio);
    s += clip.samples.length / clip.sampleRate;
  }
  return s;
}

export function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Power of `hz` in `x` (Goertzel, one bin). */
function goertzel(x: Float64Array, hz: number, rate: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s0 = v + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/**
 * One letter per 20 ms μ-law frame: `a` the fallback's tone dominates, `b` CSM's, `m` both (a frame across the
 * switch), `.` silence.
 */
export function toneLetters(mulaw: Uint8Array): string {
  let out = '';
  const frame = new Float64Array(160);
  for (let at = 0; at + 160 <= mulaw.length; at += 160) {
    const pcm = decodeMulaw(mulaw.subarray(at, at + 160));
    let energy = 0;
    for (let i = 0; i < 160; i++) {
      frame[i] = pcm[i] ?? 0;
      energy += frame[i]! * frame[i]!;
    }
    if (Math.sqrt(energy / 160) < 500) {
      out += '.';
      continue;
    }
    const a = goertzel(frame, FALLBACK_TONE_HZ, 8000);
    const b = goertzel(frame, CSM_TONE_HZ, 8000);
    out += a > 8 * b ? 'a' : b > 8 * a ? 'b' : 'm';
  }
  return out;
}
