/**
 * WAV I/O for fixtures and call recordings, on top of wavefile (RIFF parsing and writing; toolchain.md §6.6).
 * Sample conversion is ours: μ-law through the G.191 tables, PCM16 read as little-endian bytes.
 */
import { WaveFile } from 'wavefile';
import { AudioCodecError } from './errors';
import { decodeMulaw } from './mulaw';
import { checkRate } from './resampler-design';

export interface WavAudio {
  readonly sampleRate: number;
  /** Channels in the file; `samples` is always mono (channels averaged). */
  readonly channels: number;
  readonly samples: Int16Array;
}

/** The parts of wavefile's untyped `fmt` chunk we read. */
interface FmtChunk {
  readonly numChannels: number;
  readonly sampleRate: number;
}

/** Reads a PCM16 or μ-law WAV (RIFF or RF64) and downmixes it to mono. Throws AUDIO_BAD_WAV otherwise. */
export function readWav(bytes: Uint8Array): WavAudio {
  let wav: WaveFile;
  try {
    wav = new WaveFile(bytes);
  } catch (cause) {
    throw new AudioCodecError('AUDIO_BAD_WAV', `not a readable WAV file (${(cause as Error).message})`, { cause });
  }
  const fmt = wav.fmt as FmtChunk;
  const data = (wav.data as { samples: Uint8Array }).samples;
  if (wav.container === 'RIFX') throw new AudioCodecError('AUDIO_BAD_WAV', 'big-endian RIFX WAV files are not supported');
  if (wav.bitDepth !== '16' && wav.bitDepth !== '8m') {
    throw new AudioCodecError('AUDIO_BAD_WAV', `only PCM16 and μ-law WAV files are supported, got bit depth '${wav.bitDepth}'`);
  }
  const channels = fmt.numChannels;
  if (!Number.isInteger(channels) || channels < 1) {
    throw new AudioCodecError('AUDIO_BAD_WAV', `invalid channel count ${channels}`);
  }
  try {
    checkRate(fmt.sampleRate, 'WAV sample rate');
  } catch (cause) {
    throw new AudioCodecError('AUDIO_BAD_WAV', (cause as Error).message, { cause });
  }
  const width = wav.bitDepth === '16' ? 2 : 1;
  const frames = Math.floor(data.length / (width * channels));
  const interleaved = width === 1 ? decodeMulaw(data.subarray(0, frames * channels)) : readLe16(data, frames * channels);
  return { sampleRate: fmt.sampleRate, channels, samples: downmix(interleaved, channels, frames) };
}

/** PCM16 mono RIFF/WAVE bytes. */
export function writeWav(samples: Int16Array, sampleRate: number): Uint8Array {
  checkRate(sampleRate, 'sampleRate');
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRate, '16', samples);
  return wav.toBuffer();
}

/** μ-law mono WAV (format 7) from μ-law bytes as they came off the wire: a call recording needs no transcoding. */
export function writeMulawWav(mulaw: Uint8Array, sampleRate = 8000): Uint8Array {
  checkRate(sampleRate, 'sampleRate');
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRate, '8m', mulaw);
  return wav.toBuffer();
}

function readLe16(bytes: Uint8Array, count: number): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
  return out;
}

function downmix(interleaved: Int16Array, channels: number, frames: number): Int16Array {
  if (channels === 1) return interleaved;
  const mono = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c];
    mono[f] = Math.round(sum / channels);
  }
  return mono;
}
