import type { ServerResponse } from 'node:http';
import { sleep } from '../abortable-sleep';
import { CSM_FRAME_SAMPLES, CSM_SAMPLE_RATE, csmWav, fakeCsmPcm, fakeCsmSamples } from './fake-csm-audio';
import type { CsmHttpError } from './validate';
import type { CsmRecordedRequest, CsmScript, CsmTtsBody } from './types';

/** Generation settings of the fake (FakeCsmOptions with defaults applied). */
export interface FakeCsmGeneration {
  readonly msPerChar: number;
  readonly frameMs: number;
  readonly firstChunkFrames: number;
  readonly chunkFrames: number;
  readonly toneHz: number;
}

/** One response being written: the socket's close aborts `closed`, which ends every wait early. */
export interface Responder {
  readonly res: ServerResponse;
  readonly record: CsmRecordedRequest;
  readonly script: CsmScript;
  readonly closed: AbortSignal;
  readonly gen: FakeCsmGeneration;
  readonly startedAt: number;
}

const untilClosed = (signal: AbortSignal): Promise<void> =>
  signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

function destroy(r: Responder): void {
  r.record.outcome = 'server-destroyed';
  r.res.socket?.destroy();
}

/** The service's error body, `{"error": {code, message, retryable, details?}}`, with `Retry-After` on a retryable 503. */
export function sendHttpError(r: Responder, e: CsmHttpError, retryAfter?: string): void {
  const retryable = e.retryable ?? false;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const after = retryAfter ?? (retryable && e.status === 503 ? '2' : undefined);
  if (after !== undefined) headers['retry-after'] = after;
  r.record.status = e.status;
  r.record.errorCode = e.code;
  r.res.writeHead(e.status, headers);
  r.res.end(JSON.stringify({ error: { code: e.code, message: e.message, retryable, ...(e.details ? { details: e.details } : {}) } }));
}

function endFields(r: Responder, samples: number, frames: number, ttfaMs: number): Record<string, unknown> {
  return {
    stop_reason: r.script.stopReason ?? 'eos',
    frames,
    samples,
    duration_ms: Math.round((samples * 10_000) / CSM_SAMPLE_RATE) / 10,
    ttfa_ms: Math.round(ttfaMs * 10) / 10,
    queued_ms: 0,
    generation_ms: Math.round((Date.now() - r.startedAt) * 10) / 10,
    max_batch: 1,
  };
}

/**
 * Fault checks before the stream's `n`-th audio line (and once after the last): true when the response is over.
 * A hang waits for the client to leave; an error or malformed line ends the response.
 */
async function faultAt(r: Responder, n: number): Promise<boolean> {
  const s = r.script;
  if (s.destroyAfterChunks === n) {
    destroy(r);
    return true;
  }
  if (s.hang === n) {
    await untilClosed(r.closed);
    return true;
  }
  if (s.errorAfterChunks === n) {
    r.record.errorCode = 'generation_failed';
    r.res.end(`${JSON.stringify({ type: 'error', error: { code: 'generation_failed', message: 'the model raised (scripted)', retryable: false } })}\n`);
    return true;
  }
  if (s.malformedAfterChunks === n) {
    r.res.end('{"type":"audio","seq":\n');
    return true;
  }
  return false;
}

/** `application/x-ndjson`: a start line, audio lines as chunks are "generated", then an end line. */
export async function streamNdjson(r: Responder, body: CsmTtsBody): Promise<void> {
  const { gen, script: s, res, record, closed } = r;
  const total = fakeCsmSamples(body.prompt_text, { msPerChar: gen.msPerChar, durationMs: s.durationMs, maxAudioLengthMs: body.max_audio_length_ms });
  if (s.hang === 'before-headers') return untilClosed(closed);
  if (s.destroyAfterChunks === 0) return destroy(r);
  record.status = 200;
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.write(`${JSON.stringify({ type: 'start', sample_rate: CSM_SAMPLE_RATE, encoding: 'pcm_s16le', channels: 1 })}\n`);
  let sent = 0;
  let ttfa = 0;
  for (let seq = 0; sent < total; seq++) {
    const frames = Math.min(seq === 0 ? gen.firstChunkFrames : gen.chunkFrames, (total - sent) / CSM_FRAME_SAMPLES);
    const delay = seq === 0 ? (s.firstAudioDelayMs ?? 0) + frames * gen.frameMs : (s.chunkDelayMs ?? frames * gen.frameMs);
    await sleep(delay, closed);
    if (closed.aborted || (await faultAt(r, seq))) return;
    const samples = frames * CSM_FRAME_SAMPLES;
    const pcm = fakeCsmPcm(samples, gen.toneHz, sent);
    const audio = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
    if (seq === 0) ttfa = Date.now() - r.startedAt;
    res.write(`${JSON.stringify({ type: 'audio', seq, start_sample: sent, samples, audio })}\n`);
    sent += samples;
    record.samples = sent;
    record.audioChunks = seq + 1;
  }
  if (await faultAt(r, record.audioChunks)) return;
  res.end(`${JSON.stringify({ type: 'end', ...endFields(r, total, total / CSM_FRAME_SAMPLES, ttfa) })}\n`);
}

/** `audio/wav` (with the `X-CSM-*` headers) or the JSON form: the whole utterance once generation is over. */
export async function sendWhole(r: Responder, body: CsmTtsBody, mode: 'wav' | 'json'): Promise<void> {
  const { gen, script: s, res, record, closed } = r;
  const total = fakeCsmSamples(body.prompt_text, { msPerChar: gen.msPerChar, durationMs: s.durationMs, maxAudioLengthMs: body.max_audio_length_ms });
  const frames = total / CSM_FRAME_SAMPLES;
  await sleep((s.firstAudioDelayMs ?? 0) + frames * gen.frameMs, closed);
  if (closed.aborted) return;
  if (s.hang === 'before-headers') return untilClosed(closed);
  if (s.destroyAfterChunks === 0) return destroy(r);
  const wav = csmWav(fakeCsmPcm(total, gen.toneHz));
  const fields = endFields(r, total, frames, Date.now() - r.startedAt);
  record.status = 200;
  record.samples = total;
  record.audioChunks = 1;
  if (mode === 'json') {
    const json = JSON.stringify({ audio_base64: wav.toString('base64'), format: 'wav', sample_rate: CSM_SAMPLE_RATE, ...fields });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(json);
    return;
  }
  // Header names as Starlette writes them from `X-CSM-{k.replace('_', '-').title()}` (csm_gpu/app.py).
  const headers: Record<string, string> = { 'content-type': 'audio/wav', 'content-length': String(wav.length) };
  for (const [k, v] of Object.entries(fields)) {
    headers[`X-CSM-${k.split('_').map((w) => w[0]?.toUpperCase() + w.slice(1)).join('-')}`] = String(v);
  }
  res.writeHead(200, headers);
  const parts = Math.max(1, s.bodyWrites ?? 1);
  const step = Math.ceil(wav.length / parts);
  for (let i = 0, at = 0; at < wav.length; i++, at += step) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    if (closed.aborted) return;
    if (s.destroyAfterChunks === i) return destroy(r);
    if (s.hang === i) return untilClosed(closed);
    res.write(wav.subarray(at, Math.min(wav.length, at + step)));
  }
  res.end();
}
