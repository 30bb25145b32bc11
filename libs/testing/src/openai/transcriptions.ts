import type { ScriptedResponse } from './scripted-response';
import type { RecordedRequest, TranscriptionScript, UploadedFile } from './types';

// Field rules of `POST /v1/audio/transcriptions`
// (https://platform.openai.com/docs/api-reference/audio/createTranscription) plus Groq's Whisper models
// (https://console.groq.com/docs/openai).
const MODELS = [
  'whisper-1',
  'gpt-4o-transcribe',
  'gpt-4o-mini-transcribe',
  'gpt-4o-mini-transcribe-2025-12-15',
  'gpt-4o-transcribe-diarize',
  'gpt-transcribe',
  'whisper-large-v3',
  'whisper-large-v3-turbo',
];
const EXTENSIONS = ['flac', 'mp3', 'mp4', 'mpeg', 'mpga', 'm4a', 'ogg', 'wav', 'webm'];
const FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt', 'diarized_json'];

/** Duration of a RIFF/WAVE file from its `fmt ` byte rate and `data` size; undefined for anything else. */
export function wavDurationSeconds(data: Buffer): number | undefined {
  if (data.length < 12 || data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let byteRate: number | undefined;
  for (let pos = 12; pos + 8 <= data.length; ) {
    const id = data.toString('ascii', pos, pos + 4);
    const size = data.readUInt32LE(pos + 4);
    if (id === 'fmt ' && pos + 16 <= data.length) byteRate = data.readUInt32LE(pos + 16);
    if (id === 'data') return byteRate ? Math.min(size, data.length - pos - 8) / byteRate : undefined;
    pos += 8 + size + (size & 1);
  }
  return undefined;
}

function validate(record: RecordedRequest): string | undefined {
  const form = record.form;
  if (!form) return 'Expected a multipart/form-data body';
  const file = form.files['file'];
  if (!file) return "Missing required parameter: 'file'";
  const ext = file.filename.split('.').pop()?.toLowerCase() ?? '';
  if (!EXTENSIONS.includes(ext)) return `Invalid file format. Supported formats: ${JSON.stringify(EXTENSIONS)}`;
  const model = form.fields['model'];
  if (!model) return "Missing required parameter: 'model'";
  if (!MODELS.includes(model)) return `Invalid model: ${model}`;
  const format = form.fields['response_format'] ?? 'json';
  if (!FORMATS.includes(format)) return `Invalid value for 'response_format': ${format}`;
  if (model.startsWith('gpt-4o') && format !== 'json') return `response_format '${format}' is not compatible with model '${model}'`;
  if (record.vendor === 'groq' && (format === 'srt' || format === 'vtt')) return `response_format '${format}' is not supported`;
  return undefined;
}

function timestamp(seconds: number, sep: string): string {
  const ms = Math.round(seconds * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3_600_000))}:${p(Math.floor(ms / 60_000) % 60)}:${p(Math.floor(ms / 1000) % 60)}${sep}${p(ms % 1000, 3)}`;
}

/** Serves `POST .../audio/transcriptions`: multipart upload in, the scripted transcript out. */
export async function serveTranscription(
  out: ScriptedResponse,
  record: RecordedRequest,
  script: TranscriptionScript,
  defaultTranscript: string,
): Promise<void> {
  const invalid = validate(record);
  const form = record.form;
  if (invalid !== undefined || !form) {
    await out.sendError(400, { error: { message: invalid, type: 'invalid_request_error', param: null, code: null } });
    return;
  }
  if (await out.sendScriptedError()) return;
  const file = form.files['file'] as UploadedFile;
  const text = typeof script.text === 'function' ? script.text(file, form.fields) : (script.text ?? defaultTranscript);
  const duration = wavDurationSeconds(file.data) ?? 0;
  const format = form.fields['response_format'] ?? 'json';
  if (format === 'json') return out.json(200, { text, usage: { type: 'duration', seconds: Math.ceil(duration) } });
  if (format === 'verbose_json' || format === 'diarized_json') {
    const segment = { id: 0, seek: 0, start: 0, end: duration, text, tokens: [], temperature: 0, avg_logprob: -0.1, compression_ratio: 1, no_speech_prob: 0.01 };
    return out.json(200, { task: 'transcribe', language: form.fields['language'] ?? 'english', duration, text, segments: text ? [segment] : [] });
  }
  let body = text;
  if (format === 'srt') body = `1\n${timestamp(0, ',')} --> ${timestamp(duration, ',')}\n${text}\n\n`;
  if (format === 'vtt') body = `WEBVTT\n\n${timestamp(0, '.')} --> ${timestamp(duration, '.')}\n${text}\n\n`;
  if (await out.start(200, { 'content-type': 'text/plain; charset=utf-8' })) {
    if (await out.write(body)) await out.end();
  }
}
