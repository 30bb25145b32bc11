/**
 * The CSM WebSocket protocol (`/v1/native/ws/{session_id}`, apps/csm-bridge/README.md), base messages:
 *   client → bridge  {"type":"synthesize","text","voice_profile_id"} | {"type":"ping"} | {"type":"close"}
 *   bridge → client  {"type":"audio","audio_base64","duration_ms","generation_time_ms","format":"mulaw_8khz"}
 *                    | {"type":"pong"} | {"type":"error","error":"..."}
 * Additions, all optional, that a client of the base protocol never sees unless it asks: `code` (and `retryable`) on
 * errors; `request_id` and `max_audio_length_ms` on synthesize, with `request_id` echoed on that request's
 * audio/error and a closing {"type":"done","request_id",...}; and {"type":"cancel"} to stop the synthesis in progress
 * (barge-in).
 */

export type ClientMessage =
  | { readonly type: 'synthesize'; readonly text: string; readonly voiceProfileId: string; readonly requestId?: string; readonly maxAudioLengthMs?: number }
  | { readonly type: 'ping' }
  | { readonly type: 'close' }
  | { readonly type: 'cancel' };

/** Stable codes of the bridge's own errors (provider failures carry the TtsError code, e.g. TTS_TIMEOUT). */
export type BridgeErrorCode = 'BAD_MESSAGE' | 'UNKNOWN_PROFILE' | 'QUEUE_FULL' | 'SESSION_IDLE' | 'INTERNAL';

export const MAX_TEXT_CHARS = 4000; // csm-gpu's prompt_text limit
const MAX_REQUEST_ID = 128;

/** Parses one text frame; a string is the problem to report (BAD_MESSAGE). */
export function parseClientMessage(raw: string): ClientMessage | string {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return 'the message is not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the message must be a JSON object';
  const m = v as Record<string, unknown>;
  switch (m['type']) {
    case 'ping':
    case 'close':
    case 'cancel':
      return { type: m['type'] };
    case 'synthesize': {
      const text = m['text'];
      if (typeof text !== 'string' || text.trim() === '') return 'synthesize needs a non-empty "text"';
      if (text.length > MAX_TEXT_CHARS) return `"text" is longer than ${MAX_TEXT_CHARS} characters`;
      const profile = m['voice_profile_id'] ?? 'default';
      if (typeof profile !== 'string') return '"voice_profile_id" must be a string';
      const requestId = m['request_id'];
      if (requestId !== undefined && (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > MAX_REQUEST_ID)) {
        return `"request_id" must be a string of 1..${MAX_REQUEST_ID} characters`;
      }
      const max = m['max_audio_length_ms'];
      if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 600_000)) {
        return '"max_audio_length_ms" must be an integer in [1, 600000]';
      }
      return { type: 'synthesize', text, voiceProfileId: profile, requestId, maxAudioLengthMs: max };
    }
    default:
      return `unknown message type ${JSON.stringify(m['type'])}`;
  }
}

const idField = (requestId: string | undefined): string => (requestId === undefined ? '' : `,"request_id":${JSON.stringify(requestId)}`);

/** One chunk of μ-law 8 kHz. Built as a template string: base64 needs no escaping (docs/architecture.md "Hot-path budget"). */
export function audioMessage(mulaw: Uint8Array, generationTimeMs: number, requestId?: string): string {
  const b64 = Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64');
  const durationMs = Math.round(mulaw.length / 8); // 8 bytes per ms at 8 kHz μ-law
  return `{"type":"audio","audio_base64":"${b64}","duration_ms":${durationMs},"generation_time_ms":${Math.round(generationTimeMs)},"format":"mulaw_8khz"${idField(requestId)}}`;
}

export const PONG = '{"type":"pong"}';

export function errorMessage(error: string, code: string, o: { requestId?: string; retryable?: boolean } = {}): string {
  return JSON.stringify({ type: 'error', error, code, ...(o.retryable === undefined ? {} : { retryable: o.retryable }), ...(o.requestId === undefined ? {} : { request_id: o.requestId }) });
}

/** Sent after a request's last audio, only when the client gave a `request_id`. */
export function doneMessage(requestId: string, durationMs: number, generationTimeMs: number): string {
  return JSON.stringify({ type: 'done', request_id: requestId, duration_ms: Math.round(durationMs), generation_time_ms: Math.round(generationTimeMs) });
}
