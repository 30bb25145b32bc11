import type { ScriptedResponse } from './scripted-response';
import type { RecordedRequest, SpeechScript } from './types';

// Field rules of `POST /v1/audio/speech` (https://platform.openai.com/docs/api-reference/audio/createSpeech, from the
// OpenAI OpenAPI spec).
const MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15'];
const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];
const FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'];
/** Formats the fake can render: raw PCM and PCM in a WAV header. The others would need an encoder. */
const RENDERED = ['pcm', 'wav'];
export const SPEECH_SAMPLE_RATE = 24_000;
export const MAX_SPEECH_INPUT = 4096;

function validate(body: Record<string, unknown> | undefined): string | undefined {
  if (!body) return 'We could not parse the JSON body of your request.';
  const { model, input, voice, instructions } = body;
  const format = body['response_format'] ?? 'mp3';
  if (typeof model !== 'string' || !MODELS.includes(model)) return `Invalid value for 'model': ${String(model)}`;
  if (typeof input !== 'string' || input.length === 0) return "'input' must be a non-empty string";
  if (input.length > MAX_SPEECH_INPUT) return `'input' is too long: ${input.length} > ${MAX_SPEECH_INPUT} characters`;
  const customVoice = typeof voice === 'object' && voice !== null && typeof (voice as { id?: unknown }).id === 'string';
  if (!customVoice && !(typeof voice === 'string' && VOICES.includes(voice))) return `Invalid value for 'voice': ${String(voice)}`;
  if (typeof format !== 'string' || !FORMATS.includes(format)) return `Invalid value for 'response_format': ${String(format)}`;
  if (!RENDERED.includes(format)) return `The fake renders only 'pcm' and 'wav', not '${format}'`;
  const speed = body['speed'];
  if (speed !== undefined && (typeof speed !== 'number' || speed < 0.25 || speed > 4)) return "'speed' must be within 0.25..4";
  if (instructions !== undefined && model.startsWith('tts-1')) return "'instructions' is not supported for tts-1 and tts-1-hd";
  const streamFormat = body['stream_format'] ?? 'audio';
  if (streamFormat !== 'audio' && streamFormat !== 'sse') return `Invalid value for 'stream_format': ${String(streamFormat)}`;
  if (streamFormat === 'sse' && model.startsWith('tts-1')) return "'sse' is not supported for tts-1 or tts-1-hd";
  return undefined;
}

/** A sine tone as raw s16le mono at 24 kHz, the `pcm` format of the speech endpoint. */
export function toneS16le(durationMs: number, hz = 440, sampleRate = SPEECH_SAMPLE_RATE): Buffer {
  const samples = Math.round((durationMs * sampleRate) / 1000);
  const out = Buffer.alloc(samples * 2);
  for (let n = 0; n < samples; n++) {
    out.writeInt16LE(Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * hz * n) / sampleRate)), n * 2);
  }
  return out;
}

function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(SPEECH_SAMPLE_RATE, 24);
  h.writeUInt32LE(SPEECH_SAMPLE_RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Cuts `audio` into `parts` pieces of whole samples (the last one takes the rest). */
function cut(audio: Uint8Array, parts: number): Uint8Array[] {
  const n = Math.max(1, Math.min(parts, Math.max(1, audio.length >> 1)));
  const step = Math.ceil(audio.length / n / 2) * 2;
  const out: Uint8Array[] = [];
  for (let i = 0; i < audio.length; i += step) out.push(audio.subarray(i, Math.min(audio.length, i + step)));
  return out;
}

/** Serves `POST .../audio/speech`: validated body, then the audio streamed in several chunked writes. */
export async function serveSpeech(out: ScriptedResponse, record: RecordedRequest, script: SpeechScript): Promise<void> {
  const body = record.json;
  const invalid = validate(body);
  if (invalid !== undefined || !body) {
    await out.sendError(400, { error: { message: invalid, type: 'invalid_request_error', param: null, code: null } });
    return;
  }
  if (await out.sendScriptedError()) return;
  const pcm = script.audio ?? toneS16le(script.toneMs ?? 500, script.toneHz ?? 440);
  const format = body['response_format'] as string;
  const audio = format === 'wav' ? Buffer.concat([wavHeader(pcm.length), pcm]) : pcm;
  const pieces = cut(audio, script.chunks ?? 5);
  if (body['stream_format'] === 'sse') {
    if (!(await out.start(200, { 'content-type': 'text/event-stream' }))) return;
    for (const piece of pieces) {
      const event = { type: 'speech.audio.delta', audio: Buffer.from(piece).toString('base64') };
      if (!(await out.write(`data: ${JSON.stringify(event)}\n\n`))) return;
    }
    const input = String(body['input']).length;
    const usage = { input_tokens: input, output_tokens: pieces.length, total_tokens: input + pieces.length };
    if (!(await out.write(`data: ${JSON.stringify({ type: 'speech.audio.done', usage })}\n\n`))) return;
    await out.end();
    return;
  }
  // The real API streams with Transfer-Encoding: chunked; `audio/pcm` is what it labels raw PCM.
  if (!(await out.start(200, { 'content-type': format === 'wav' ? 'audio/wav' : 'audio/pcm' }))) return;
  for (const piece of pieces) if (!(await out.write(piece))) return;
  await out.end();
}
