import type { IncomingMessage, ServerResponse } from 'node:http';
import { concatBytes, writeWav } from '@voice/audio-codec';
import { TtsError } from '@voice/tts-providers';
import type { CsmSpeech } from './csm-speech';
import type { VoiceProfile } from './profiles';
import { MAX_TEXT_CHARS } from './protocol';

const MAX_BODY = 64 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

const fail = (res: ServerResponse, status: number, code: string, message: string, retryable = false, headers: Record<string, string> = {}): void =>
  sendJson(res, status, { error: { code, message, retryable } }, headers);

/** `GET /health`: csm-gpu's own `/health` (always 200, as there), plus the bridge's open sessions. */
export async function handleHealth(res: ServerResponse, speech: CsmSpeech, sessions: number): Promise<void> {
  sendJson(res, 200, { ...(await speech.health()), sessions });
}

/** `GET /ready`: 200 once csm-gpu reports `ok`, 503 before (for readiness probes). */
export async function handleReady(res: ServerResponse, speech: CsmSpeech): Promise<void> {
  const h = await speech.health();
  if (h.status === 'ok') sendJson(res, 200, { status: 'ok' });
  else fail(res, 503, 'CSM_NOT_READY', `csm-gpu is ${h.status}${h.error ? `: ${h.error}` : ''}`, h.status === 'loading', { 'retry-after': '2' });
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= MAX_BODY) parts.push(b);
    });
    req.on('end', () => resolve(size > MAX_BODY ? 'too-large' : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** HTTP status for a provider failure: the upstream's own 413/422/503 pass through, a timeout is 504, the rest 502. */
function statusFor(e: TtsError): number {
  if (e.status === 413 || e.status === 422 || e.status === 503) return e.status;
  if (e.code === 'TTS_TIMEOUT') return 504;
  return 502;
}

/**
 * `POST /synthesize` (README "HTTP"): `{"text", "voice_profile_id"?, "max_audio_length_ms"?, "format"?}` →
 * μ-law 8 kHz. `Accept: audio/wav` or `"format": "wav"` gives CSM's 24 kHz PCM16 WAV instead; `Accept:
 * application/json` the audio message shape of the WebSocket. Stateless: no session context. A client that goes
 * away cancels the CSM request.
 */
export async function handleSynthesize(req: IncomingMessage, res: ServerResponse, speech: CsmSpeech, profiles: ReadonlyMap<string, VoiceProfile>): Promise<void> {
  const raw = await readBody(req);
  if (raw === 'too-large') return fail(res, 413, 'BAD_REQUEST', `the body is larger than ${MAX_BODY} bytes`);
  let body: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    body = v as Record<string, unknown>;
  } catch {
    return fail(res, 400, 'BAD_REQUEST', 'the body must be a JSON object');
  }
  const text = body['text'];
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEXT_CHARS) return fail(res, 400, 'BAD_REQUEST', `"text" must be a non-empty string of at most ${MAX_TEXT_CHARS} characters`);
  const max = body['max_audio_length_ms'];
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 600_000)) return fail(res, 400, 'BAD_REQUEST', '"max_audio_length_ms" must be an integer in [1, 600000]');
  const format = body['format'] ?? 'mulaw_8khz';
  if (format !== 'mulaw_8khz' && format !== 'wav') return fail(res, 400, 'BAD_REQUEST', '"format" must be mulaw_8khz or wav');
  const profileId = body['voice_profile_id'] ?? 'default';
  const profile = typeof profileId === 'string' ? profiles.get(profileId) : undefined;
  if (!profile) return fail(res, 404, 'UNKNOWN_PROFILE', `unknown voice_profile_id ${JSON.stringify(profileId)}`);

  const accept = req.headers.accept ?? '';
  const controller = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort();
  };
  res.on('close', onClose);
  const started = performance.now();
  const mulaw: Uint8Array[] = [];
  try {
    const it = speech.speak(text, { profile, signal: controller.signal, maxAudioLengthMs: max as number | undefined });
    let r = await it.next();
    for (; !r.done; r = await it.next()) mulaw.push(r.value);
    if (controller.signal.aborted || !r.value) return;
    const generationMs = Math.round(performance.now() - started);
    const audio = concatBytes(mulaw);
    const durationMs = Math.round(audio.length / 8);
    const stats = { 'x-duration-ms': String(durationMs), 'x-generation-time-ms': String(generationMs) };
    if (format === 'wav' || accept.includes('audio/wav')) {
      const wav = writeWav(r.value, 24_000);
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length, ...stats }).end(wav);
    } else if (accept.includes('application/json')) {
      sendJson(res, 200, { audio_base64: Buffer.from(audio).toString('base64'), duration_ms: durationMs, generation_time_ms: generationMs, format: 'mulaw_8khz' });
    } else {
      // audio/basic: 8 kHz μ-law mono (RFC 2046 §4.3).
      res.writeHead(200, { 'content-type': 'audio/basic', 'content-length': audio.length, ...stats }).end(audio);
    }
  } catch (e) {
    if (controller.signal.aborted) return;
    if (!(e instanceof TtsError)) throw e;
    const headers: Record<string, string> = e.retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(e.retryAfterMs / 1000)) } : {};
    fail(res, statusFor(e), e.code, e.message, e.retryable, headers);
  } finally {
    res.off('close', onClose);
  }
}
