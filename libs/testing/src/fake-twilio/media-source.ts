import { FRAME_BYTES, MULAW_8K, MulawFramer, createTranscoder, int16ToBytes, pcm16Format, readWav } from '@voice/audio-codec';

/** What the fake caller can say: raw μ-law 8 kHz, PCM16 at any rate, or a WAV file (PCM16 or μ-law). */
export type TwilioCallerAudio =
  | { readonly mulaw: Uint8Array }
  | { readonly pcm16: Int16Array; readonly sampleRate: number }
  | { readonly wav: Uint8Array };

/** Converts caller audio to μ-law 8 kHz once, through @voice/audio-codec's transcoder (resampler + G.711). */
export function toMulaw8k(audio: TwilioCallerAudio): Uint8Array {
  if ('mulaw' in audio) return audio.mulaw;
  const { samples, sampleRate } = 'wav' in audio ? readWav(audio.wav) : { samples: audio.pcm16, sampleRate: audio.sampleRate };
  const transcoder = createTranscoder(pcm16Format(sampleRate), MULAW_8K);
  const head = transcoder.process(int16ToBytes(samples));
  const tail = transcoder.flush();
  if (tail.length === 0) return head;
  const all = new Uint8Array(head.length + tail.length);
  all.set(head);
  all.set(tail, head.length);
  return all;
}

/** 160-byte frames, the last one padded with μ-law silence (0xFF), as Twilio always sends whole 20 ms frames. */
export function toFrames(mulaw: Uint8Array): Uint8Array[] {
  const framer = new MulawFramer(FRAME_BYTES);
  const frames = framer.push(mulaw);
  const last = framer.flush();
  if (last !== undefined) frames.push(last);
  return frames;
}
