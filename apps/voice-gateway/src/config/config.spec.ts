import { ConfigError, loadConfig, redactedConfig, twilioProblem } from './config';

const base = {
  PUBLIC_HOST: 'gw.example.com',
  TWILIO_AUTH_TOKEN: '12345',
  DEEPGRAM_API_KEY: 'dg-key',
  GROQ_API_KEY: 'groq-key',
  CARTESIA_API_KEY: 'cartesia-key',
  CARTESIA_VOICE_ID: 'voice-1',
};

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(8080);
    expect(c.publicHost).toBe('gw.example.com');
    expect(c.twilio.validateSignatures).toBe(true);
    expect(c.stt).toEqual({ provider: 'deepgram', apiKey: 'dg-key', baseUrl: undefined, model: 'nova-3' });
    expect(c.llm).toEqual({ provider: 'groq', apiKey: 'groq-key', baseUrl: undefined, model: 'llama-3.1-8b-instant' });
    expect(c.tts).toMatchObject({ provider: 'cartesia', voice: 'voice-1', model: 'sonic-3' });
    expect(c.ttsFallback).toBeUndefined();
    expect(c.turn).toMatchObject({ bargeIn: 'vad+words', minInterruptionWords: 2, jitterBufferMs: 160, jitterBufferMinMs: 80 });
    expect(c.persona.systemPrompt).toContain('Ava');
    expect(c.persona.systemPrompt).toContain('Voice Presence');
  });

  it('takes every <VENDOR>_BASE_URL override, trailing slash removed', () => {
    const c = loadConfig({
      ...base,
      OPENAI_API_KEY: 'oa',
      TTS_FALLBACK_PROVIDER: 'openai',
      DEEPGRAM_BASE_URL: 'ws://127.0.0.1:1234/',
      GROQ_BASE_URL: 'http://127.0.0.1:2',
      CARTESIA_BASE_URL: 'https://127.0.0.1:3',
      OPENAI_BASE_URL: 'http://127.0.0.1:4/v1',
      TWILIO_API_BASE_URL: 'http://127.0.0.1:5',
    });
    expect(c.stt.baseUrl).toBe('ws://127.0.0.1:1234');
    expect(c.llm.baseUrl).toBe('http://127.0.0.1:2');
    expect(c.tts.baseUrl).toBe('https://127.0.0.1:3');
    expect(c.ttsFallback).toMatchObject({ provider: 'openai', baseUrl: 'http://127.0.0.1:4/v1', voice: 'alloy' });
    expect(c.twilio.apiBaseUrl).toBe('http://127.0.0.1:5');
  });

  it('runs on the offline providers with no keys at all, and says why', () => {
    const c = loadConfig({});
    expect(c.stt).toEqual({ provider: 'local', apiKey: '', hangoverMs: 300 });
    expect(c.llm).toMatchObject({ provider: 'scripted', apiKey: '' });
    expect(c.tts).toEqual({ provider: 'local', apiKey: '', voice: 'rms' });
    expect(c.turn.openWithLlm).toBe(true);
    expect(c.publicHost).toBeUndefined();
    expect(c.softphone).toEqual({ enabled: true, allowedOrigins: [], tokenTtlMs: 60_000 });
    expect(c.providerNotes).toEqual([
      expect.stringMatching(/^STT local \(offline pocketsphinx: DEEPGRAM_API_KEY is not set\)/),
      expect.stringMatching(/^LLM scripted \(offline ordering dialog/),
      expect.stringMatching(/^TTS local \(offline flite/),
    ]);
    expect(twilioProblem(c)).toMatch(/PUBLIC_HOST is not set/);
  });

  it('mixes keyed vendors and offline providers, and honours explicit choices', () => {
    const c = loadConfig({ GROQ_API_KEY: 'g', TTS_PROVIDER: 'local', LOCAL_TTS_VOICE: 'slt' });
    expect([c.stt.provider, c.llm.provider, c.tts.provider]).toEqual(['local', 'groq', 'local']);
    expect(c.tts.voice).toBe('slt');
    expect(c.turn.openWithLlm).toBe(false);
    expect(c.providerNotes[1]).toBe('LLM groq (GROQ_API_KEY is set)');
    const fb = loadConfig({ ...base, TTS_FALLBACK_PROVIDER: 'local' });
    expect(fb.ttsFallback).toMatchObject({ provider: 'local' });
    // A scripted dialog with a configured greeting says the greeting instead of opening itself.
    expect(loadConfig({ GREETING: 'Hello.' }).turn.openWithLlm).toBe(false);
  });

  it('points an explicit vendor without its key at the offline alternative', () => {
    const p = problems({ STT_PROVIDER: 'deepgram', LLM_PROVIDER: 'groq', TTS_PROVIDER: 'cartesia', LOCAL_TTS_VOICE: 'robot' });
    expect(p.join('\n')).toMatch(/DEEPGRAM_API_KEY is required for STT_PROVIDER=deepgram \(or STT_PROVIDER=local/);
    expect(p.join('\n')).toMatch(/GROQ_API_KEY is required for LLM_PROVIDER=groq \(or LLM_PROVIDER=scripted/);
    expect(p.join('\n')).toMatch(/CARTESIA_API_KEY is required for TTS_PROVIDER=cartesia/);
  });

  it('keeps signature validation on without a token: Twilio is refused, the rest runs', () => {
    const { TWILIO_AUTH_TOKEN: _t, ...noToken } = base;
    const c = loadConfig(noToken);
    expect(c.twilio.validateSignatures).toBe(true);
    expect(twilioProblem(c)).toMatch(/TWILIO_AUTH_TOKEN is not set while TWILIO_VALIDATE_SIGNATURES is on/);
    expect(twilioProblem(loadConfig({ ...noToken, TWILIO_VALIDATE_SIGNATURES: 'false' }))).toBeUndefined();
    expect(twilioProblem(loadConfig(base))).toBeUndefined();
  });

  it('reads the softphone switches and refuses allowlist entries that are not origins', () => {
    const c = loadConfig({ ...base, SOFTPHONE_ENABLED: 'false', SOFTPHONE_ALLOWED_ORIGINS: 'https://a.example.com, http://localhost:3000', SOFTPHONE_TOKEN_TTL_MS: '5000' });
    expect(c.softphone).toEqual({ enabled: false, allowedOrigins: ['https://a.example.com', 'http://localhost:3000'], tokenTtlMs: 5000 });
    const p = problems({ ...base, SOFTPHONE_ALLOWED_ORIGINS: 'https://a.example.com/app,ftp://x.example.com,*' });
    expect(p).toHaveLength(3);
    expect(p[0]).toMatch(/SOFTPHONE_ALLOWED_ORIGINS entries must be origins/);
  });

  it('collects malformed values in one error', () => {
    const p = problems({ ...base, PORT: 'eighty', TWILIO_VALIDATE_SIGNATURES: 'maybe', DEEPGRAM_BASE_URL: 'not a url', JITTER_BUFFER_MIN_MS: '500', STT_PROVIDER: 'nope' });
    expect(p.join('\n')).toMatch(/PORT must be an integer/);
    expect(p.join('\n')).toMatch(/TWILIO_VALIDATE_SIGNATURES must be true or false/);
    expect(p.join('\n')).toMatch(/DEEPGRAM_BASE_URL must be an absolute/);
    expect(p.join('\n')).toMatch(/JITTER_BUFFER_MIN_MS \(500\) must not exceed JITTER_BUFFER_MS \(160\)/);
    expect(p.join('\n')).toMatch(/STT_PROVIDER must be one of/);
  });

  it('rejects a voice provider without its voice id, and offline choices with a clear message', () => {
    expect(problems({ ...base, CARTESIA_VOICE_ID: '' }).join()).toMatch(/CARTESIA_VOICE_ID is required for TTS_PROVIDER=cartesia/);
    expect(problems({ ...base, TTS_PROVIDER: 'csm' }).join()).toMatch(/CSM_ENDPOINT is required for TTS_PROVIDER=csm/);
    expect(problems({ ...base, LOCAL_TTS_VOICE: 'robot', TTS_PROVIDER: 'local' }).join()).toMatch(/LOCAL_TTS_VOICE must be one of rms/);
  });

  it('strips a scheme from PUBLIC_HOST and refuses a path', () => {
    expect(loadConfig({ ...base, PUBLIC_HOST: 'https://gw.example.com/' }).publicHost).toBe('gw.example.com');
    expect(problems({ ...base, PUBLIC_HOST: 'gw.example.com/x' }).join()).toMatch(/PUBLIC_HOST must be host/);
  });

  it('MIN_INTERRUPTION_WORDS=0 means VAD alone unless BARGE_IN_MODE says otherwise', () => {
    expect(loadConfig({ ...base, MIN_INTERRUPTION_WORDS: '0' }).turn.bargeIn).toBe('vad');
    expect(loadConfig({ ...base, BARGE_IN_MODE: 'words' }).turn.bargeIn).toBe('words');
  });

  it('redacts secrets for the startup log', () => {
    const text = JSON.stringify(redactedConfig(loadConfig({ ...base, API_BEARER_TOKEN: 'bearer-secret' })));
    for (const secret of ['12345', 'dg-key', 'groq-key', 'cartesia-key', 'bearer-secret']) expect(text).not.toContain(secret);
    expect(text).toContain('gw.example.com');
  });
});
