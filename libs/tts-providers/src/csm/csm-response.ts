import { protocolError, TtsError } from '../tts-error';

/** PCM16 LE mono bytes as they came off the wire, and their rate. */
export interface PcmPiece {
  readonly sampleRate: number;
  readonly data: Uint8Array;
}

/** What the service said about the generation: the stream's `end` line or the WAV's `X-CSM-*` headers. */
export interface CsmServerStats {
  stopReason?: string;
  ttfaMs?: number;
  queuedMs?: number;
  generationMs?: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Splits a byte stream into `\n`-terminated lines; a non-blank unterminated tail comes last. */
async function* lines(body: AsyncIterable<Buffer>, onData: () => void): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  for await (const chunk of body) {
    onData();
    let from = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      yield pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      from = nl + 1;
    }
    if (from < chunk.length) pending.push(chunk.subarray(from));
  }
  const tail = Buffer.concat(pending);
  if (tail.toString('utf8').trim() !== '') yield tail;
}

/**
 * The NDJSON stream of `POST /tts` with `Accept: application/x-ndjson` (services/csm-gpu README, "Streaming
 * framing"): `start`, then `audio` lines with `seq` counting from 0 without gaps, then `end` — or an `error` line
 * when generation fails after the stream started. Yields each audio line's PCM as soon as its line is complete.
 */
export async function* ndjsonPcm(provider: string, body: AsyncIterable<Buffer>, onData: () => void, stats: CsmServerStats): AsyncGenerator<PcmPiece> {
  let sampleRate = 0;
  let seq = 0;
  let ended = false;
  for await (const raw of lines(body, onData)) {
    if (ended) throw protocolError(provider, 'a stream line after the end line');
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      throw protocolError(provider, 'a stream line is not JSON', e);
    }
    const type = line['type'];
    if (type === 'start') {
      if (line['encoding'] !== 'pcm_s16le' || line['channels'] !== 1 || !Number.isInteger(line['sample_rate'])) {
        throw protocolError(provider, `unsupported stream format ${JSON.stringify({ encoding: line['encoding'], channels: line['channels'] })}`);
      }
      sampleRate = line['sample_rate'] as number;
    } else if (type === 'audio') {
      if (sampleRate === 0) throw protocolError(provider, 'an audio line came before the start line');
      if (line['seq'] !== seq || typeof line['audio'] !== 'string') throw protocolError(provider, `audio line ${String(line['seq'])} where ${seq} was due`);
      seq += 1;
      const data = Buffer.from(line['audio'], 'base64');
      if (data.length > 0) yield { sampleRate, data };
    } else if (type === 'end') {
      stats.stopReason = typeof line['stop_reason'] === 'string' ? line['stop_reason'] : undefined;
      stats.ttfaMs = num(line['ttfa_ms']);
      stats.queuedMs = num(line['queued_ms']);
      stats.generationMs = num(line['generation_ms']);
      // Read on to the end of the body (normally nothing is left): a response read to its end keeps the
      // keep-alive socket in the pool, one left unread is destroyed.
      ended = true;
    } else if (type === 'error') {
      const e = (typeof line['error'] === 'object' && line['error'] !== null ? line['error'] : {}) as { code?: unknown; message?: unknown; retryable?: unknown };
      const what = [e.code, e.message].filter((s) => typeof s === 'string').join(': ');
      throw new TtsError('TTS_PROVIDER_ERROR', `${provider}: generation failed mid-stream${what ? `: ${what}` : ''}`, {
        provider,
        retryable: e.retryable === true,
        cause: e,
      });
    } else {
      throw protocolError(provider, `unknown stream line type ${JSON.stringify(type)}`);
    }
  }
  if (!ended) throw new TtsError('TTS_CONNECTION_LOST', `${provider}: the stream ended without an end line`, { provider, retryable: true });
}

/**
 * The `audio/wav` body, parsed as it streams: RIFF header, `fmt ` (PCM, mono, 16-bit), then the `data` chunk's bytes
 * are yielded as they arrive, in whole samples (a sample split across two TCP reads waits for its second byte).
 * Chunks before `data` (e.g. `LIST`) are skipped.
 */
export async function* wavPcm(provider: string, body: AsyncIterable<Buffer>, onData: () => void): AsyncGenerator<PcmPiece> {
  let head: Buffer = Buffer.alloc(0);
  let sampleRate = 0;
  let dataLeft = -1; // bytes of the data chunk still to come; -1 while in the header
  let odd: Buffer | undefined; // the first byte of a split sample
  const whole = (bytes: Buffer): Buffer => {
    const joined = odd ? Buffer.concat([odd, bytes]) : bytes;
    const even = joined.length & ~1;
    odd = even < joined.length ? Buffer.from(joined.subarray(even)) : undefined;
    return joined.subarray(0, even);
  };
  for await (const chunk of body) {
    onData();
    let data: Buffer;
    if (dataLeft < 0) {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const parsed = parseHeader(provider, head);
      if (parsed === undefined) continue;
      sampleRate = parsed.sampleRate;
      // Size 0 or 0xFFFFFFFF: a writer that did not know the length; read to the end of the body.
      dataLeft = parsed.dataSize === 0 || parsed.dataSize === 0xffffffff ? Number.POSITIVE_INFINITY : parsed.dataSize;
      data = head.subarray(parsed.dataStart);
      head = Buffer.alloc(0);
    } else {
      data = chunk;
    }
    if (dataLeft <= 0) continue;
    if (data.length > dataLeft) data = data.subarray(0, dataLeft);
    dataLeft -= data.length;
    const samples = whole(data);
    if (samples.length > 0) yield { sampleRate, data: samples };
  }
  if (dataLeft < 0) throw protocolError(provider, 'the WAV body ended before its data chunk');
  if (dataLeft > 0 && Number.isFinite(dataLeft)) {
    throw new TtsError('TTS_CONNECTION_LOST', `${provider}: the WAV body ended ${dataLeft} bytes early`, { provider, retryable: true });
  }
}

/** Walks the RIFF chunks in `head`; undefined while more bytes are needed. */
function parseHeader(provider: string, head: Buffer): { sampleRate: number; dataStart: number; dataSize: number } | undefined {
  if (head.length < 12) return undefined;
  if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') throw protocolError(provider, 'the audio/wav body is not RIFF/WAVE');
  let sampleRate = 0;
  for (let at = 12; at + 8 <= head.length; ) {
    const id = head.toString('ascii', at, at + 4);
    const size = head.readUInt32LE(at + 4);
    if (id === 'data') {
      if (sampleRate === 0) throw protocolError(provider, 'the WAV data chunk came before its fmt chunk');
      return { sampleRate, dataStart: at + 8, dataSize: size };
    }
    if (at + 8 + size > head.length) return undefined;
    if (id === 'fmt ') {
      const format = head.readUInt16LE(at + 8);
      const channels = head.readUInt16LE(at + 10);
      const bits = head.readUInt16LE(at + 22);
      if (format !== 1 || channels !== 1 || bits !== 16) {
        throw protocolError(provider, `unsupported WAV format ${format}, ${channels} channels, ${bits} bits (PCM16 mono expected)`);
      }
      sampleRate = head.readUInt32LE(at + 12);
    }
    at += 8 + size + (size % 2);
  }
  return undefined;
}
