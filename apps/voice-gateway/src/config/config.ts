import { type Env, EnvReader } from './env-reader';
import { defaultSystemPrompt } from './persona';

export type SttChoice = 'deepgram' | 'whisper';
export type LlmChoice = 'groq' | 'openai';
export type TtsChoice = 'cartesia' | 'openai' | 'elevenlabs';
/** What confirms a barge-in: VAD onset and N interim words (default), or either alone. */
export type BargeInMode = 'vad+words' | 'vad' | 'words';

export interface SttConfig {
  readonly provider: SttChoice;
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly model?: string;
}

export interface LlmConfig {
  readonly provider: LlmChoice;
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly model: string;
}

export interface TtsConfig {
  readonly provider: TtsChoice;
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly model?: string;
  /** Cartesia / ElevenLabs voice id, OpenAI voice name. */
  readonly voice?: string;
}

export interface TurnConfig {
  readonly bargeIn: BargeInMode;
  readonly minInterruptionWords: number;
  readonly jitterBufferMs: number;
  readonly jitterBufferMinMs: number;
  /** Spoken on `start` when set (not sent to the LLM; kept in the history as what was played). */
  readonly greeting?: string;
  /** Silence after the agent finished before a re-prompt; 0 turns it off. */
  readonly idleRepromptMs: number;
  readonly idlePrompt: string;
  readonly maxReprompts: number;
  /** Quiet time after the last DTMF digit before the digits go to the dialog (`#` sends at once). */
  readonly dtmfDebounceMs: number;
  /** The primary TTS must yield audio within this long, else the fallback speaks (with a fallback). */
  readonly ttsFirstAudioTimeoutMs: number;
}

export interface GatewayConfig {
  readonly port: number;
  /** `host[:port]` that Twilio reaches; TwiML, signatures and outbound webhooks are built from it. */
  readonly publicHost: string;
  readonly logLevel: string;
  readonly drainTimeoutMs: number;
  /** No `start` within this long after the socket opened: close (protocols.md §6.2.3). */
  readonly startTimeoutMs: number;
  /** Lifetime of the per-call token put in the TwiML. */
  readonly callTokenTtlMs: number;
  readonly twilio: {
    readonly accountSid?: string;
    readonly authToken?: string;
    readonly phoneNumber?: string;
    readonly validateSignatures: boolean;
    readonly apiBaseUrl?: string;
  };
  readonly apiBearerToken?: string;
  readonly stt: SttConfig;
  readonly llm: LlmConfig;
  readonly tts: TtsConfig;
  readonly ttsFallback?: TtsConfig;
  readonly turn: TurnConfig;
  readonly persona: { readonly agentName: string; readonly companyName: string; readonly systemPrompt: string };
}

/** Thrown by {@link loadConfig}; `problems` lists every invalid or missing variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'GATEWAY_CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const OFFLINE_LATER = 'offline providers come in a later release';

function sttFrom(r: EnvReader): SttConfig {
  const deepgramKey = r.str('DEEPGRAM_API_KEY');
  const openAiKey = r.str('OPENAI_API_KEY');
  const choice = r.oneOf<SttChoice | 'local'>('STT_PROVIDER', ['deepgram', 'whisper', 'local']) ?? (deepgramKey ? 'deepgram' : undefined);
  if (choice === 'whisper') {
    return { provider: 'whisper', apiKey: r.require('OPENAI_API_KEY', openAiKey, 'for STT_PROVIDER=whisper'), baseUrl: r.url('OPENAI_BASE_URL', ['http', 'https']), model: r.str('WHISPER_MODEL') };
  }
  if (choice === 'local') r.problems.push(`STT_PROVIDER=local is not available yet (${OFFLINE_LATER}); set DEEPGRAM_API_KEY`);
  else if (choice === undefined) r.problems.push(`no speech-to-text provider: set DEEPGRAM_API_KEY (or STT_PROVIDER=whisper with OPENAI_API_KEY); ${OFFLINE_LATER}`);
  return {
    provider: 'deepgram',
    apiKey: choice === 'deepgram' ? r.require('DEEPGRAM_API_KEY', deepgramKey, 'for STT_PROVIDER=deepgram') : '',
    baseUrl: r.url('DEEPGRAM_BASE_URL', ['ws', 'wss', 'http', 'https']),
    model: r.strOr('DEEPGRAM_MODEL', 'nova-3'),
  };
}

function llmFrom(r: EnvReader): LlmConfig {
  const groqKey = r.str('GROQ_API_KEY');
  const openAiKey = r.str('OPENAI_API_KEY');
  const choice = r.oneOf<LlmChoice | 'scripted'>('LLM_PROVIDER', ['groq', 'openai', 'scripted']) ?? (groqKey ? 'groq' : openAiKey ? 'openai' : undefined);
  if (choice === 'openai') {
    return {
      provider: 'openai',
      apiKey: r.require('OPENAI_API_KEY', openAiKey, 'for LLM_PROVIDER=openai'),
      baseUrl: r.url('OPENAI_BASE_URL', ['http', 'https']),
      model: r.strOr('OPENAI_MODEL', 'gpt-4o-mini'),
    };
  }
  if (choice === 'scripted') r.problems.push(`LLM_PROVIDER=scripted is not available yet (${OFFLINE_LATER}); set GROQ_API_KEY or OPENAI_API_KEY`);
  else if (choice === undefined) r.problems.push(`no language model: set GROQ_API_KEY or OPENAI_API_KEY; ${OFFLINE_LATER}`);
  return {
    provider: 'groq',
    apiKey: choice === 'groq' ? r.require('GROQ_API_KEY', groqKey, 'for LLM_PROVIDER=groq') : '',
    baseUrl: r.url('GROQ_BASE_URL', ['http', 'https']),
    model: r.strOr('GROQ_MODEL', 'llama-3.1-8b-instant'),
  };
}

function ttsVendor(r: EnvReader, choice: TtsChoice, variable: string): TtsConfig {
  const why = `for ${variable}=${choice}`;
  switch (choice) {
    case 'cartesia':
      return {
        provider: 'cartesia',
        apiKey: r.require('CARTESIA_API_KEY', r.str('CARTESIA_API_KEY'), why),
        voice: r.require('CARTESIA_VOICE_ID', r.str('CARTESIA_VOICE_ID'), why),
        model: r.strOr('CARTESIA_MODEL', 'sonic-3'),
        baseUrl: r.url('CARTESIA_BASE_URL', ['http', 'https', 'ws', 'wss']),
      };
    case 'elevenlabs':
      return {
        provider: 'elevenlabs',
        apiKey: r.require('ELEVENLABS_API_KEY', r.str('ELEVENLABS_API_KEY'), why),
        voice: r.require('ELEVENLABS_VOICE_ID', r.str('ELEVENLABS_VOICE_ID'), why),
        model: r.strOr('ELEVENLABS_MODEL', 'eleven_flash_v2_5'),
        baseUrl: r.url('ELEVENLABS_BASE_URL', ['ws', 'wss', 'http', 'https']),
      };
    case 'openai':
      return {
        provider: 'openai',
        apiKey: r.require('OPENAI_API_KEY', r.str('OPENAI_API_KEY'), why),
        voice: r.strOr('OPENAI_TTS_VOICE', 'alloy'),
        model: r.strOr('OPENAI_TTS_MODEL', 'gpt-4o-mini-tts'),
        baseUrl: r.url('OPENAI_BASE_URL', ['http', 'https']),
      };
  }
}

function ttsFrom(r: EnvReader): { tts: TtsConfig; fallback?: TtsConfig } {
  const vendors = ['cartesia', 'openai', 'elevenlabs'] as const;
  const keyed = (['cartesia', 'elevenlabs', 'openai'] as const).find((v) => r.str(`${v === 'openai' ? 'OPENAI' : v.toUpperCase()}_API_KEY`));
  const choice = r.oneOf<TtsChoice | 'csm' | 'local'>('TTS_PROVIDER', [...vendors, 'csm', 'local']) ?? keyed;
  let tts: TtsConfig;
  if (choice === 'csm' || choice === 'local' || choice === undefined) {
    r.problems.push(
      choice === undefined
        ? `no text-to-speech provider: set CARTESIA_API_KEY + CARTESIA_VOICE_ID, ELEVENLABS_API_KEY + ELEVENLABS_VOICE_ID, or OPENAI_API_KEY; ${OFFLINE_LATER}`
        : `TTS_PROVIDER=${choice} is not available in this release of the gateway`,
    );
    tts = { provider: 'cartesia', apiKey: '' };
  } else {
    tts = ttsVendor(r, choice, 'TTS_PROVIDER');
  }
  const fb = r.oneOf<TtsChoice | 'none'>('TTS_FALLBACK_PROVIDER', [...vendors, 'none'], 'none');
  if (fb === 'none') return { tts };
  if (fb === tts.provider) r.problems.push(`TTS_FALLBACK_PROVIDER must differ from TTS_PROVIDER (both '${fb}')`);
  return { tts, fallback: ttsVendor(r, fb, 'TTS_FALLBACK_PROVIDER') };
}

/**
 * Reads and validates the whole configuration once, at start. Only the app reads the environment; everything
 * below gets this object. Throws a {@link ConfigError} naming every problem.
 */
export function loadConfig(env: Env): GatewayConfig {
  const r = new EnvReader(env);
  const publicHost = r.str('PUBLIC_HOST')?.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  if (publicHost !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(publicHost)) {
    r.problems.push(`PUBLIC_HOST must be host[:port] (no path), got '${publicHost}'`);
  }
  const validateSignatures = r.bool('TWILIO_VALIDATE_SIGNATURES', true);
  const authToken = r.str('TWILIO_AUTH_TOKEN');
  if (validateSignatures) r.require('TWILIO_AUTH_TOKEN', authToken, 'to validate X-Twilio-Signature (or set TWILIO_VALIDATE_SIGNATURES=false, not for production)');
  const stt = sttFrom(r);
  const llm = llmFrom(r);
  const { tts, fallback } = ttsFrom(r);
  const minWords = r.int('MIN_INTERRUPTION_WORDS', 2, 0, 20);
  const jitterBufferMs = r.int('JITTER_BUFFER_MS', 160, 0, 2000);
  const jitterBufferMinMs = r.int('JITTER_BUFFER_MIN_MS', 80, 0, 2000);
  if (jitterBufferMinMs > jitterBufferMs) r.problems.push(`JITTER_BUFFER_MIN_MS (${jitterBufferMinMs}) must not exceed JITTER_BUFFER_MS (${jitterBufferMs})`);
  const agentName = r.strOr('AGENT_NAME', 'Ava');
  const companyName = r.strOr('COMPANY_NAME', 'Voice Presence');
  const config: GatewayConfig = {
    port: r.int('PORT', 8080, 0, 65535),
    publicHost: r.require('PUBLIC_HOST', publicHost, '(the host Twilio reaches, e.g. voice.example.com): TwiML and signatures are built from it'),
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    drainTimeoutMs: r.int('DRAIN_TIMEOUT_MS', 30_000, 0),
    startTimeoutMs: r.int('START_TIMEOUT_MS', 5000, 100),
    callTokenTtlMs: r.int('CALL_TOKEN_TTL_MS', 60_000, 1000),
    twilio: {
      accountSid: r.str('TWILIO_ACCOUNT_SID'),
      authToken,
      phoneNumber: r.str('TWILIO_PHONE_NUMBER'),
      validateSignatures,
      apiBaseUrl: r.url('TWILIO_API_BASE_URL', ['http', 'https']),
    },
    apiBearerToken: r.str('API_BEARER_TOKEN'),
    stt,
    llm,
    tts,
    ttsFallback: fallback,
    turn: {
      bargeIn: r.oneOf<BargeInMode>('BARGE_IN_MODE', ['vad+words', 'vad', 'words'], minWords === 0 ? 'vad' : 'vad+words'),
      minInterruptionWords: minWords,
      jitterBufferMs,
      jitterBufferMinMs,
      greeting: r.str('GREETING'),
      idleRepromptMs: r.int('IDLE_REPROMPT_MS', 8000, 0),
      idlePrompt: r.strOr('IDLE_PROMPT', 'Are you still there?'),
      maxReprompts: r.int('IDLE_MAX_REPROMPTS', 2, 0, 10),
      dtmfDebounceMs: r.int('DTMF_DEBOUNCE_MS', 1500, 0, 10_000),
      ttsFirstAudioTimeoutMs: r.int('TTS_FIRST_AUDIO_TIMEOUT_MS', 800, 50, 10_000),
    },
    persona: { agentName, companyName, systemPrompt: r.str('SYSTEM_PROMPT') ?? defaultSystemPrompt(agentName, companyName) },
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** The configuration with every secret replaced by `set`/`unset`: what the startup log line shows. */
export function redactedConfig(c: GatewayConfig): Record<string, unknown> {
  const secret = (v: string | undefined): string => (v ? 'set' : 'unset');
  const vendor = (t: TtsConfig | SttConfig | LlmConfig) => ({ ...t, apiKey: secret(t.apiKey) });
  return {
    ...c,
    twilio: { ...c.twilio, authToken: secret(c.twilio.authToken) },
    apiBearerToken: secret(c.apiBearerToken),
    stt: vendor(c.stt),
    llm: vendor(c.llm),
    tts: vendor(c.tts),
    ttsFallback: c.ttsFallback && vendor(c.ttsFallback),
    persona: { ...c.persona, systemPrompt: `${c.persona.systemPrompt.length} chars` },
  };
}
