/**
 * WAV I/O for fixtures and call recordings, on top of wavefile (RIFF parsing and writing;
 * https://github.com/rochars/wavefile).
 * Sample conversion is ours: μ-law through the G.191 tables, PCM16 read as little-endian bytes.
 */
import { WaveFile } from 'wavefile';
import { AudioCodecError } from './errors';
import { decodeMulaw } from './mulaw';
import { checkRate } from './resampler-design';
import { int16ToBytes } from './pcm';

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
  // The canonical 44-byte RIFF/WAVE header written directly (byte-identical to wavefile's fromScratch output, a spec
  // checks it): wavefile packs sample by sample and took ~100x longer for a 6 s snippet, which sits on the path to
  // a CSM reply's first audio. Layout: RIFF, WAVE, 16-byte `fmt ` chunk (WAVE_FORMAT_PCM = 1), `data`; little-endian.
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const view = new DataView(out.buffer);
  out.set(ASCII_RIFF, 0);
  view.setUint32(4, 36 + dataBytes, true);
  out.set(ASCII_WAVE_FMT, 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  out.set(ASCII_DATA, 36);
  view.setUint32(40, dataBytes, true);
  out.set(int16ToBytes(samples), WAV_HEADER_BYTES);
  return out;
}

/** Size of the header `writeWav` writes. */
export const WAV_HEADER_BYTES = 44;
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ASCII_RIFF = ascii('RIFF');
const ASCII_WAVE_FMT = ascii('WAVEfmt ');
const ASCII_DATA = ascii('data');

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
