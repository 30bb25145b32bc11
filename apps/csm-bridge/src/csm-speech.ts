import { Agent as HttpAgent, get as httpGet } from 'node:http';
import { Agent as HttpsAgent, get as httpsGet } from 'node:https';
import { bytesToInt16, concatBytes, createTranscoder, MULAW_8K, pcm16Format } from '@voice/audio-codec';
import type { ContextBuffer } from '@voice/context-buffer';
import { CsmTts } from '@voice/tts-providers';
import type { Logger } from 'pino';
import type { BridgeConfig } from './config';
import type { VoiceProfile } from './profiles';

/** CSM's own output (Mimi, 24 kHz): what the context buffer keeps, and what `/synthesize` returns as WAV. */
export const CSM_PCM = pcm16Format(24_000);

export interface SpeakOptions {
  readonly profile: VoiceProfile;
  readonly signal: AbortSignal;
  readonly conversation?: ContextBuffer;
  readonly turnId?: string;
  readonly maxAudioLengthMs?: number;
}

/** `GET /health` of csm-gpu, or what the bridge could tell about it. */
export interface CsmHealth {
  readonly status: string;
  readonly model_loaded: boolean;
  readonly device: string;
  readonly error: string | null;
}

/**
 * The bridge's one way to csm-gpu: a `CsmTts` per request (it is only options; the keep-alive agent is shared, so
 * sockets stay warm across sessions) yielding CSM's 24 kHz PCM, transcoded here to μ-law 8 kHz as it arrives.
 */
export class CsmSpeech {
  private readonly agent: HttpAgent;

  constructor(
    private readonly csm: BridgeConfig['csm'],
    private readonly logger: Logger,
  ) {
    const secure = csm.endpoint.startsWith('https:');
    this.agent = new (secure ? HttpsAgent : HttpAgent)({ keepAlive: true, scheduling: 'lifo' });
  }

  /**
   * Yields μ-law 8 kHz pieces as CSM produces them and returns the whole utterance as 24 kHz samples (for the
   * context buffer), or undefined after an abort. Failures throw the provider's TtsError.
   */
  async *speak(text: string, o: SpeakOptions): AsyncGenerator<Uint8Array, Int16Array | undefined> {
    const tts = new CsmTts({
      baseUrl: this.csm.endpoint,
      apiKey: this.csm.apiKey,
      mode: this.csm.mode,
      speakerId: o.profile.speakerId,
      maxAudioLengthMs: o.maxAudioLengthMs,
      format: CSM_PCM,
      responseTimeoutMs: this.csm.timeoutMs,
      agent: this.agent,
      logger: this.logger,
      onMetric: (m) => {
        if (m.kind === 'request') this.logger.info({ turnId: m.turnId, outcome: m.outcome, ttfaMs: m.ttfaMs, generationMs: m.generationMs, audioMs: m.audioMs, shrunk: m.shrunk, code: m.code }, 'csm request');
      },
    });
    const transcoder = createTranscoder(CSM_PCM, MULAW_8K);
    const pcm: Uint8Array[] = [];
    const context = { turnId: o.turnId ?? 'synthesize', sentenceIndex: 0, isLastSentence: true, conversation: o.conversation };
    for await (const chunk of tts.synthesize(text, { signal: o.signal, context })) {
      pcm.push(chunk.data);
      const mulaw = transcoder.process(chunk.data);
      if (mulaw.length > 0) yield mulaw;
    }
    if (o.signal.aborted) return undefined;
    const tail = transcoder.flush();
    if (tail.length > 0) yield tail;
    const bytes = concatBytes(pcm);
    return bytesToInt16(bytes.subarray(0, bytes.length & ~1));
  }

  /** csm-gpu's `/health`, mirrored; an unreachable service reads as `status: "error"`. */
  health(timeoutMs = 2000): Promise<CsmHealth> {
    const url = new URL('health', `${this.csm.endpoint}/`);
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    const unreachable = (why: string): CsmHealth => ({ status: 'error', model_loaded: false, device: 'unknown', error: `csm-gpu unreachable: ${why}` });
    return new Promise((resolve) => {
      const headers: Record<string, string> = this.csm.apiKey ? { authorization: `Bearer ${this.csm.apiKey}` } : {};
      const req = get(url, { agent: this.agent, headers, timeout: timeoutMs }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('error', () => resolve(unreachable('response failed')));
        res.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Partial<CsmHealth>;
            if (res.statusCode !== 200 || typeof body.status !== 'string') return resolve(unreachable(`HTTP ${res.statusCode}`));
            resolve({ status: body.status, model_loaded: body.model_loaded === true, device: String(body.device ?? 'unknown'), error: body.error ?? null });
          } catch {
            resolve(unreachable('health is not JSON'));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => resolve(unreachable(e.code ?? e.message)));
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
