/**
 * The bridge's configuration, read from the environment once at start (only apps read process.env). Every problem
 * is collected so one message lists them all. Empty values count as unset (`KEY=` lines of an .env file).
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface BridgeConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly csm: {
    /** services/csm-gpu root (`CSM_ENDPOINT`). */
    readonly endpoint: string;
    /** Bearer key for a proxy in front of csm-gpu (`CSM_API_KEY`); csm-gpu itself has none. */
    readonly apiKey?: string;
    /** `stream` (NDJSON, chunks as generated) or `wav` (whole utterance). */
    readonly mode: 'stream' | 'wav';
    /** No data from csm-gpu for this long (headers, or between chunks) fails the request with TTS_TIMEOUT. */
    readonly timeoutMs: number;
    /** Context audio per request (`CSM_MAX_CONTEXT_SECONDS`, default 24; services/csm-gpu/README.md). */
    readonly maxContextSeconds: number;
  };
  /** Folder of voice profiles (`<id>.json` + reference WAVs); none: only the built-in `default` (speaker 0). */
  readonly profilesDir?: string;
  /** WebSocket ping every this long; a client that did not answer the previous ping is dropped. */
  readonly keepaliveMs: number;
  /** A session with no client message and no synthesis for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Synthesize requests a session may queue behind the one being spoken. */
  readonly maxQueue: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'BRIDGE_CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function loadConfig(env: Env): BridgeConfig {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      problems.push(`${name} must be an integer in [${min}, ${max}], got '${raw}'`);
      return fallback;
    }
    return n;
  };
  const endpoint = str('CSM_ENDPOINT');
  if (endpoint === undefined) problems.push('CSM_ENDPOINT is required: the services/csm-gpu root, e.g. http://127.0.0.1:8001');
  else {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(endpoint).protocol);
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`CSM_ENDPOINT must be an http(s) URL, got '${endpoint}'`);
  }
  const mode = str('CSM_MODE') ?? 'stream';
  if (mode !== 'stream' && mode !== 'wav') problems.push(`CSM_MODE must be stream or wav, got '${mode}'`);
  const contextRaw = str('CSM_MAX_CONTEXT_SECONDS');
  const maxContextSeconds = contextRaw === undefined ? 24 : Number(contextRaw);
  if (!Number.isFinite(maxContextSeconds) || maxContextSeconds < 0 || maxContextSeconds > 120) {
    problems.push(`CSM_MAX_CONTEXT_SECONDS must be a number in [0, 120], got '${contextRaw}'`);
  }
  const config: BridgeConfig = {
    port: int('PORT', 8002, 0, 65535),
    host: str('HOST') ?? '0.0.0.0',
    logLevel: str('LOG_LEVEL') ?? 'info',
    csm: {
      endpoint: endpoint?.replace(/\/+$/, '') ?? '',
      apiKey: str('CSM_API_KEY'),
      mode: mode === 'wav' ? 'wav' : 'stream',
      timeoutMs: int('CSM_TIMEOUT_MS', 10_000, 100, 600_000),
      maxContextSeconds: Number.isFinite(maxContextSeconds) ? maxContextSeconds : 24,
    },
    profilesDir: str('CSM_PROFILES_DIR'),
    keepaliveMs: int('BRIDGE_KEEPALIVE_MS', 30_000, 10, 3_600_000),
    idleTimeoutMs: int('BRIDGE_IDLE_TIMEOUT_MS', 300_000, 10, 86_400_000),
    maxQueue: int('BRIDGE_MAX_QUEUE', 32, 1, 10_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The configuration without secrets, for the start-up log line. */
export function redactedConfig(c: BridgeConfig): unknown {
  return { ...c, csm: { ...c.csm, apiKey: c.csm.apiKey ? '***' : undefined } };
}
