import { ContextBuffer } from '@voice/context-buffer';
import { TtsError } from '@voice/tts-providers';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { CsmSpeech } from './csm-speech';
import type { VoiceProfile } from './profiles';
import { audioMessage, type ClientMessage, doneMessage, errorMessage, parseClientMessage, PONG } from './protocol';

export interface SessionDeps {
  readonly speech: CsmSpeech;
  readonly profiles: ReadonlyMap<string, VoiceProfile>;
  readonly maxContextSeconds: number;
  readonly idleTimeoutMs: number;
  readonly maxQueue: number;
  readonly logger: Logger;
  /** Called once, when the socket has closed and everything is released. */
  readonly onClosed: () => void;
}

type Synthesize = Extract<ClientMessage, { type: 'synthesize' }>;

/**
 * One `/v1/native/ws/:sessionId` connection: answers pings at once, speaks synthesize requests one after the other
 * (audio of two requests never interleaves), keeps the session's context buffer (what was spoken, with its 24 kHz
 * audio, so CSM continues the same voice and rhythm), and closes when idle. Everything is released in `dispose()`.
 */
export class BridgeSession {
  private readonly queue: Synthesize[] = [];
  private current: AbortController | undefined;
  private pumping = false;
  private conversation: { profileId: string; buffer: ContextBuffer } | undefined;
  private turns = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** Set when a WebSocket ping went out; cleared by the pong. */
  private awaitingPong = false;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    private readonly deps: SessionDeps,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.awaitingPong = false));
    ws.on('close', () => this.dispose());
    ws.on('error', (e) => deps.logger.warn({ session: id, err: e.message }, 'session socket error'));
    this.touch();
  }

  /** One keepalive round (every `BRIDGE_KEEPALIVE_MS`, default 30 s): a client that missed the last pong is dropped. */
  keepalive(): void {
    if (this.awaitingPong) {
      this.deps.logger.warn({ session: this.id }, 'no pong since the last keepalive: terminating');
      this.ws.terminate();
      return;
    }
    this.awaitingPong = true;
    this.ws.ping();
  }

  /** Server shutdown: stop speaking and say goodbye with 1001 (going away). */
  shutdown(): void {
    this.stopAll();
    this.ws.close(1001, 'server shutting down');
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.touch();
    if (isBinary) return this.send(errorMessage('binary frames are not part of the protocol; send JSON text', 'BAD_MESSAGE'));
    const msg = parseClientMessage(data.toString());
    if (typeof msg === 'string') return this.send(errorMessage(msg, 'BAD_MESSAGE'));
    switch (msg.type) {
      case 'ping':
        return this.send(PONG);
      case 'close':
        this.stopAll();
        return this.ws.close(1000, 'client close');
      case 'cancel':
        return this.stopAll();
      case 'synthesize':
        if (!this.deps.profiles.has(msg.voiceProfileId)) {
          return this.send(errorMessage(`unknown voice_profile_id '${msg.voiceProfileId}'`, 'UNKNOWN_PROFILE', { requestId: msg.requestId }));
        }
        if (this.queue.length >= this.deps.maxQueue) {
          return this.send(errorMessage(`more than ${this.deps.maxQueue} synthesize requests are waiting`, 'QUEUE_FULL', { requestId: msg.requestId, retryable: true }));
        }
        this.queue.push(msg);
        this.pump().catch((e: unknown) => this.deps.logger.error({ session: this.id, err: e }, 'session pump failed'));
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.queue.shift(); next !== undefined && !this.disposed; next = this.queue.shift()) await this.speak(next);
    } finally {
      this.pumping = false;
      this.touch();
    }
  }

  private async speak(req: Synthesize): Promise<void> {
    const profile = this.deps.profiles.get(req.voiceProfileId);
    if (!profile) return;
    const buffer = this.bufferFor(profile);
    const turnId = `${this.id}:${++this.turns}`;
    const controller = new AbortController();
    this.current = controller;
    const started = performance.now();
    let audioBytes = 0;
    buffer.beginAgentTurn(turnId);
    let played = false;
    const speech = this.deps.speech.speak(req.text, { profile, signal: controller.signal, conversation: buffer, turnId, maxAudioLengthMs: req.maxAudioLengthMs });
    try {
      for (let r = await speech.next(); !controller.signal.aborted; r = await speech.next()) {
        if (r.done) {
          if (r.value) {
            // The bridge has no playback echoes: audio the client received counts as heard.
            buffer.confirmPlayed(turnId, buffer.appendAgentSentence(turnId, req.text, { samples: r.value, sampleRate: 24_000 }));
            played = true;
          }
          break;
        }
        audioBytes += r.value.length;
        this.send(audioMessage(r.value, performance.now() - started, req.requestId));
      }
      if (req.requestId !== undefined && !controller.signal.aborted) this.send(doneMessage(req.requestId, audioBytes / 8, performance.now() - started));
    } catch (e) {
      if (controller.signal.aborted) return;
      const error = e instanceof TtsError ? e : undefined;
      if (!error) this.deps.logger.error({ session: this.id, err: e }, 'synthesis failed unexpectedly');
      this.send(errorMessage(error?.message ?? 'synthesis failed', error?.code ?? 'INTERNAL', { requestId: req.requestId, retryable: error?.retryable ?? false }));
    } finally {
      // After an abort the generator may sit at a yield: return() runs its finally (request and timers released).
      await speech.return(undefined).catch(() => undefined);
      buffer.commitAgentTurn(turnId, { interrupted: !played });
      if (this.current === controller) this.current = undefined;
    }
  }

  /** One context per session and voice: switching the profile starts a fresh context (seeded with its reference). */
  private bufferFor(profile: VoiceProfile): ContextBuffer {
    if (this.conversation?.profileId === profile.id) return this.conversation.buffer;
    const buffer = new ContextBuffer({ maxContextSeconds: this.deps.maxContextSeconds, agentSpeakerId: profile.speakerId });
    if (profile.reference) {
      buffer.beginAgentTurn('reference');
      buffer.confirmPlayed('reference', buffer.appendAgentSentence('reference', profile.reference.text, profile.reference.audio));
      buffer.commitAgentTurn('reference');
    }
    this.conversation = { profileId: profile.id, buffer };
    return buffer;
  }

  private stopAll(): void {
    this.queue.length = 0;
    this.current?.abort();
  }

  /** Any client message or finished synthesis restarts the idle clock; nothing closes while a synthesis runs. */
  private touch(): void {
    if (this.disposed) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pumping) return this.touch();
      this.send(errorMessage(`no message for ${this.deps.idleTimeoutMs} ms`, 'SESSION_IDLE'));
      this.ws.close(1000, 'idle timeout');
    }, this.deps.idleTimeoutMs);
  }

  private send(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.idleTimer);
    this.stopAll(); // the speaking request unwinds and commits nothing; the buffer goes with the session
    this.deps.onClosed();
  }
}
