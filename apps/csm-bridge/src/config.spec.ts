import { ConfigError, loadConfig, redactedConfig } from './config';

describe('loadConfig', () => {
  it('needs only CSM_ENDPOINT; everything else has a default', () => {
    const c = loadConfig({ CSM_ENDPOINT: 'http://127.0.0.1:8001/' });
    expect(c).toEqual({
      port: 8002,
      host: '0.0.0.0',
      logLevel: 'info',
      csm: { endpoint: 'http://127.0.0.1:8001', apiKey: undefined, mode: 'stream', timeoutMs: 10_000, maxContextSeconds: 24 },
      profilesDir: undefined,
      keepaliveMs: 30_000,
      idleTimeoutMs: 300_000,
      maxQueue: 32,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      CSM_ENDPOINT: 'https://gpu.example.com',
      CSM_API_KEY: 'secret',
      CSM_MODE: 'wav',
      CSM_TIMEOUT_MS: '5000',
      CSM_MAX_CONTEXT_SECONDS: '12.5',
      CSM_PROFILES_DIR: 'profiles',
      BRIDGE_KEEPALIVE_MS: '15000',
      BRIDGE_IDLE_TIMEOUT_MS: '60000',
      BRIDGE_MAX_QUEUE: '8',
    });
    expect(c).toMatchObject({ port: 9000, host: '127.0.0.1', csm: { mode: 'wav', apiKey: 'secret', timeoutMs: 5000, maxContextSeconds: 12.5 }, profilesDir: 'profiles', keepaliveMs: 15_000, idleTimeoutMs: 60_000, maxQueue: 8 });
    expect(JSON.stringify(redactedConfig(c))).not.toContain('secret');
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', CSM_MODE: 'grpc', CSM_MAX_CONTEXT_SECONDS: '-1', BRIDGE_KEEPALIVE_MS: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/CSM_ENDPOINT is required/);
    expect(problems.join('\n')).toMatch(/PORT must be an integer/);
    expect(problems.join('\n')).toMatch(/CSM_MODE must be stream or wav/);
    expect(() => loadConfig({ CSM_ENDPOINT: 'ftp://x' })).toThrow(/CSM_ENDPOINT must be an http\(s\) URL/);
  });
});
