import { FLITE_VOICES, type FliteVoice } from '@voice/tts-providers';
import { CSM_CHOICES, type CsmChoice, type CsmConfig, csmFrom, ignoredCsmNote } from './csm-config';
import { type Env, EnvReader } from './env-reader';
import { defaultSystemPrompt } from './persona';

export type SttChoice = 'deepgram' | 'whisper' | 'local';
export type LlmChoice = 'groq' | 'openai' | 'scripted';
export type TtsChoice = 'cartesia' | 'openai' | 'elevenlabs' | 'local';
/** What confirms a barge-in: VAD onset and N interim words (default), or either alone. */
export type BargeInMode = 'vad+words' | 'vad' | 'words';


/** Offline providers need no key; their `apiKey` is ''. */
export interface SttConfig {
  readonly provider: SttChoice;
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly model?: string;
  /** Local STT: silence that ends an utterance (its VAD hangover). */
  readonly hangoverMs?: number;
}

export interface LlmConfig {
  readonly provider: LlmChoice;
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly model: string;
}

export interface TtsConfig {
  readonly provider: TtsChoice | CsmChoice;
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly model?: string;
  /** Cartesia / ElevenLabs voice id, OpenAI voice name, flite voice. */
  readonly voice?: string;
}

export interface SoftphoneConfig {
  /** Serve the browser softphone (`/`) and accept `WS /browser`. Turn off in production: `SOFTPHONE_ENABLED=false`. */
  readonly enabled: boolean;
  /** Origins allowed besides the page's own (e.g. a dev server); exact `scheme://host[:port]`. */
  readonly allowedOrigins: readonly string[];
  /** Lifetime of the single-use token the page fetches before it connects. */
  readonly tokenTtlMs: number;
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
  /** Without a greeting, the LLM speaks first (a scripted dialog's opening: greeting and first question). */
  readonly openWithLlm: boolean;
}

export interface GatewayConfig {
  readonly port: number;
  /** Interface to listen on (default: all). */
  readonly host?: string;
  /** `host[:port]` that Twilio reaches; TwiML, signatures and outbound webhooks are built from it. Unset: no Twilio. */
  readonly publicHost?: string;
  readonly logLevel: string;
  readonly drainTimeoutMs: number;
  /** No `start` within this long after the socket opened: close (an idle timeout, OWASP WebSocket Security Cheat Sheet). */
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
  /** Set when `TTS_PROVIDER` is `csm` or `csm-bridge` (`ttsFallback` is then the provider CSM falls back to). */
  readonly csm?: CsmConfig;
  readonly turn: TurnConfig;
  readonly persona: { readonly agentName: string; readonly companyName: string; readonly systemPrompt: string };
  readonly softphone: SoftphoneConfig;
  /** One line per provider saying what runs and why (the startup banner prints them). */
  readonly providerNotes: readonly string[];
}

/** Thrown by {@link loadConfig}; `problems` lists every invalid or missing variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'GATEWAY_CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Defaults follow the keys: a vendor with its key set, else the offline provider, so no key is required. */
function sttFrom(r: EnvReader, notes: string[]): SttConfig {
  const deepgramKey = r.str('DEEPGRAM_API_KEY');
  const explicit = r.oneOf<SttChoice>('STT_PROVIDER', ['deepgram', 'whisper', 'local']);
  const choice = explicit ?? (deepgramKey ? 'deepgram' : 'local');
  notes.push(`STT ${choice}${explicit ? ' (STT_PROVIDER)' : deepgramKey ? ' (DEEPGRAM_API_KEY is set)' : ' (offline pocketsphinx: DEEPGRAM_API_KEY is not set)'}`);
  // The silence that ends an utterance is most of the offline reply time: 300 ms meets the ≤ 600 ms voice-to-voice
  // goal (docs/benchmarks.md: p50 ≈ 540 ms from the caller's side, 750 ms with the recogniser's own 500 ms default);
  // a longer one suits callers who pause mid-sentence.
  if (choice === 'local') return { provider: 'local', apiKey: '', hangoverMs: r.int('LOCAL_STT_HANGOVER_MS', 300, 200, 3000) };
  if (choice === 'whisper') {
    return { provider: 'whisper', apiKey: r.require('OPENAI_API_KEY', r.str('OPENAI_API_KEY'), 'for STT_PROVIDER=whisper'), baseUrl: r.url('OPENAI_BASE_URL', ['http', 'https']), model: r.str('WHISPER_MODEL') };
  }
  return {
    provider: 'deepgram',
    apiKey: r.require('DEEPGRAM_API_KEY', deepgramKey, 'for STT_PROVIDER=deepgram (or STT_PROVIDER=local for the offline recogniser)'),
    baseUrl: r.url('DEEPGRAM_BASE_URL', ['ws', 'wss', 'http', 'https']),
    model: r.strOr('DEEPGRAM_MODEL', 'nova-3'),
  };
}

function llmFrom(r: EnvReader, notes: string[]): LlmConfig {
  const groqKey = r.str('GROQ_API_KEY');
  const openAiKey = r.str('OPENAI_API_KEY');
  const explicit = r.oneOf<LlmChoice>('LLM_PROVIDER', ['groq', 'openai', 'scripted']);
  const choice = explicit ?? (groqKey ? 'groq' : openAiKey ? 'openai' : 'scripted');
  notes.push(`LLM ${choice}${explicit ? ' (LLM_PROVIDER)' : choice === 'scripted' ? ' (offline ordering dialog: neither GROQ_API_KEY nor OPENAI_API_KEY is set)' : ` (${choice === 'groq' ? 'GROQ' : 'OPENAI'}_API_KEY is set)`}`);
  if (choice === 'scripted') return { provider: 'scripted', apiKey: '', model: 'coffee-shop-order' };
  if (choice === 'openai') {
    return {
      provider: 'openai',
      apiKey: r.require('OPENAI_API_KEY', openAiKey, 'for LLM_PROVIDER=openai'),
      baseUrl: r.url('OPENAI_BASE_URL', ['http', 'https']),
      model: r.strOr('OPENAI_MODEL', 'gpt-4o-mini'),
    };
  }
  return {
    provider: 'groq',
    apiKey: r.require('GROQ_API_KEY', groqKey, 'for LLM_PROVIDER=groq (or LLM_PROVIDER=scripted for the offline dialog)'),
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
    case 'local':
      return { provider: 'local', apiKey: '', voice: r.oneOf<FliteVoice>('LOCAL_TTS_VOICE', FLITE_VOICES, 'rms') };
  }
}

function ttsFrom(r: EnvReader, notes: string[]): { tts: TtsConfig; fallback?: TtsConfig; csm?: CsmConfig } {
  const vendors = ['cartesia', 'openai', 'elevenlabs', 'local'] as const;
  const keyVar = (v: 'cartesia' | 'elevenlabs' | 'openai'): string => `${v.toUpperCase()}_API_KEY`;
  const keyed = (['cartesia', 'elevenlabs', 'openai'] as const).find((v) => r.str(keyVar(v)));
  const explicit = r.oneOf<TtsChoice | CsmChoice>('TTS_PROVIDER', [...vendors, ...CSM_CHOICES]);
  if (explicit === 'csm' || explicit === 'csm-bridge') {
    const c = csmFrom(r, explicit);
    notes.push(`TTS ${explicit} (TTS_PROVIDER) at ${c.csm.url}, falling back to ${c.fallback}${c.fallbackWhy ? ` (${c.fallbackWhy})` : ''}`);
    return { tts: { provider: explicit, apiKey: c.apiKey, baseUrl: c.csm.url }, fallback: ttsVendor(r, c.fallback, c.fallbackWhy === 'TTS_FALLBACK_PROVIDER' ? 'TTS_FALLBACK_PROVIDER' : 'the CSM fallback'), csm: c.csm };
  }
  const ignored = ignoredCsmNote(r);
  if (ignored) notes.push(ignored);
  const choice = explicit ?? keyed ?? 'local';
  notes.push(`TTS ${choice}${explicit ? ' (TTS_PROVIDER)' : keyed ? ` (${keyVar(keyed)} is set)` : ' (offline flite: no CARTESIA, ELEVENLABS or OPENAI key is set)'}`);
  const tts = ttsVendor(r, choice, 'TTS_PROVIDER');
  const fb = r.oneOf<TtsChoice | 'none'>('TTS_FALLBACK_PROVIDER', [...vendors, 'none'], 'none');
  if (fb === 'none') return { tts };
  if (fb === tts.provider) r.problems.push(`TTS_FALLBACK_PROVIDER must differ from TTS_PROVIDER (both '${fb}')`);
  return { tts, fallback: ttsVendor(r, fb, 'TTS_FALLBACK_PROVIDER') };
}

/** `SOFTPHONE_ALLOWED_ORIGINS`: comma-separated `scheme://host[:port]`, compared exactly (OWASP: an allowlist). */
function originsFrom(r: EnvReader): string[] {
  const raw = r.str('SOFTPHONE_ALLOWED_ORIGINS');
  if (raw === undefined) return [];
  const out: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      const u = new URL(item);
      if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== item.replace(/\/+$/, '')) throw new Error('not an origin');
      out.push(u.origin);
    } catch {
      r.problems.push(`SOFTPHONE_ALLOWED_ORIGINS entries must be origins like https://app.example.com (scheme, host, optional port), got '${item}'`);
    }
  }
  return out;
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
  // Validation stays on without a token: then the Twilio endpoints refuse calls (logged), the softphone still works.
  const validateSignatures = r.bool('TWILIO_VALIDATE_SIGNATURES', true);
  const authToken = r.str('TWILIO_AUTH_TOKEN');
  const notes: string[] = [];
  const stt = sttFrom(r, notes);
  const llm = llmFrom(r, notes);
  const { tts, fallback, csm } = ttsFrom(r, notes);
  const greeting = r.str('GREETING');
  const minWords = r.int('MIN_INTERRUPTION_WORDS', 2, 0, 20);
  const jitterBufferMs = r.int('JITTER_BUFFER_MS', 160, 0, 2000);
  const jitterBufferMinMs = r.int('JITTER_BUFFER_MIN_MS', 80, 0, 2000);
  if (jitterBufferMinMs > jitterBufferMs) r.problems.push(`JITTER_BUFFER_MIN_MS (${jitterBufferMinMs}) must not exceed JITTER_BUFFER_MS (${jitterBufferMs})`);
  const agentName = r.strOr('AGENT_NAME', 'Ava');
  const companyName = r.strOr('COMPANY_NAME', 'Voice Presence');
  const config: GatewayConfig = {
    port: r.int('PORT', 8080, 0, 65535),
    host: r.str('HOST'),
    publicHost,
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
    csm,
    turn: {
      bargeIn: r.oneOf<BargeInMode>('BARGE_IN_MODE', ['vad+words', 'vad', 'words'], minWords === 0 ? 'vad' : 'vad+words'),
      minInterruptionWords: minWords,
      jitterBufferMs,
      jitterBufferMinMs,
      greeting,
      idleRepromptMs: r.int('IDLE_REPROMPT_MS', 8000, 0),
      idlePrompt: r.strOr('IDLE_PROMPT', 'Are you still there?'),
      maxReprompts: r.int('IDLE_MAX_REPROMPTS', 2, 0, 10),
      dtmfDebounceMs: r.int('DTMF_DEBOUNCE_MS', 1500, 0, 10_000),
      ttsFirstAudioTimeoutMs: r.int('TTS_FIRST_AUDIO_TIMEOUT_MS', 800, 50, 10_000),
      openWithLlm: greeting === undefined && llm.provider === 'scripted',
    },
    persona: { agentName, companyName, systemPrompt: r.str('SYSTEM_PROMPT') ?? defaultSystemPrompt(agentName, companyName) },
    softphone: {
      enabled: r.bool('SOFTPHONE_ENABLED', true),
      allowedOrigins: originsFrom(r),
      tokenTtlMs: r.int('SOFTPHONE_TOKEN_TTL_MS', 60_000, 1000, 3_600_000),
    },
    providerNotes: notes,
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

/**
 * Why the Twilio endpoints (webhook, `/ws`, `/api/call`) cannot take calls with this configuration, or undefined.
 * Signature validation is never turned off implicitly: without `TWILIO_AUTH_TOKEN` they refuse every call (and
 * say so in the log) while the softphone, which needs no Twilio signature, keeps working.
 */
export function twilioProblem(c: GatewayConfig): string | undefined {
  if (c.publicHost === undefined) return 'PUBLIC_HOST is not set (the host Twilio reaches; TwiML and signatures are built from it)';
  if (c.twilio.validateSignatures && c.twilio.authToken === undefined) {
    return 'TWILIO_AUTH_TOKEN is not set while TWILIO_VALIDATE_SIGNATURES is on, so no Twilio signature can be checked (set the token; TWILIO_VALIDATE_SIGNATURES=false only for local tests)';
  }
  return undefined;
}
