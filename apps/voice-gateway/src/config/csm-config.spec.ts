import { ConfigError, loadConfig, redactedConfig } from './config';

const base = {
  PUBLIC_HOST: 'gw.example.com',
  TWILIO_AUTH_TOKEN: '12345',
  DEEPGRAM_API_KEY: 'dg-key',
  GROQ_API_KEY: 'groq-key',
};

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.join('\n');
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('CSM configuration', () => {
  it('TTS_PROVIDER=csm: the documented defaults, local flite as the fallback without a Cartesia key', () => {
    const c = loadConfig({ ...base, TTS_PROVIDER: 'csm', CSM_ENDPOINT: 'http://gpu:8001/' });
    expect(c.tts).toEqual({ provider: 'csm', apiKey: '', baseUrl: 'http://gpu:8001' });
    expect(c.csm).toEqual({ via: 'csm', url: 'http://gpu:8001', timeoutMs: 1500, maxContextSeconds: 24, speakerId: 0, mode: 'stream', voiceProfile: 'default', backchannel: undefined });
    expect(c.ttsFallback).toMatchObject({ provider: 'local', voice: 'rms' });
    expect(c.providerNotes.join('\n')).toMatch(/TTS csm \(TTS_PROVIDER\) at http:\/\/gpu:8001, falling back to local \(offline flite/);
  });

  it('falls back to Cartesia when it is keyed, or to TTS_FALLBACK_PROVIDER', () => {
    const keyed = { ...base, CARTESIA_API_KEY: 'ck', CARTESIA_VOICE_ID: 'v1', TTS_PROVIDER: 'csm', CSM_ENDPOINT: 'http://gpu:8001' };
    expect(loadConfig(keyed).ttsFallback).toMatchObject({ provider: 'cartesia', voice: 'v1' });
    expect(loadConfig({ ...keyed, TTS_FALLBACK_PROVIDER: 'local' }).ttsFallback).toMatchObject({ provider: 'local' });
  });

  it('TTS_PROVIDER=csm-bridge: CSM_BRIDGE_URL, voice profile, backchannel and the other variables', () => {
    const c = loadConfig({
      ...base,
      TTS_PROVIDER: 'csm-bridge',
      CSM_BRIDGE_URL: 'ws://bridge:8002',
      CSM_API_KEY: 'proxy-secret',
      CSM_TIMEOUT_MS: '2000',
      CSM_MAX_CONTEXT_SECONDS: '12',
      CSM_SPEAKER_ID: '3',
      CSM_VOICE_PROFILE: 'ava',
      CSM_BACKCHANNEL: 'true',
      CSM_BACKCHANNEL_AFTER_MS: '700',
    });
    expect(c.csm).toEqual({ via: 'csm-bridge', url: 'ws://bridge:8002', timeoutMs: 2000, maxContextSeconds: 12, speakerId: 3, mode: 'stream', voiceProfile: 'ava', backchannel: { afterMs: 700, text: 'Mm-hm.' } });
    expect(c.tts.apiKey).toBe('proxy-secret');
    expect(JSON.stringify(redactedConfig(c))).not.toContain('proxy-secret');
  });

  it('names every problem once, with what to set', () => {
    expect(problems({ ...base, TTS_PROVIDER: 'csm' })).toMatch(/CSM_ENDPOINT is required for TTS_PROVIDER=csm \(the services\/csm-gpu root/);
    expect(problems({ ...base, TTS_PROVIDER: 'csm-bridge' })).toMatch(/CSM_BRIDGE_URL is required for TTS_PROVIDER=csm-bridge/);
    const p = problems({
      ...base,
      TTS_PROVIDER: 'csm',
      CSM_ENDPOINT: 'ftp://gpu',
      CSM_TIMEOUT_MS: '10',
      CSM_MAX_CONTEXT_SECONDS: 'lots',
      CSM_SPEAKER_ID: '5000',
      CSM_MODE: 'mp3',
      TTS_FALLBACK_PROVIDER: 'none',
    });
    expect(p).toMatch(/CSM_ENDPOINT must be an absolute http\/https URL, got 'ftp:\/\/gpu'/);
    expect(p).toMatch(/CSM_TIMEOUT_MS must be an integer in \[100, 30000\]/);
    expect(p).toMatch(/CSM_MAX_CONTEXT_SECONDS must be an integer in \[0, 120\]/);
    expect(p).toMatch(/CSM_SPEAKER_ID must be an integer in \[0, 1000\]/);
    expect(p).toMatch(/CSM_MODE must be one of stream \| wav/);
    expect(p).toMatch(/TTS_FALLBACK_PROVIDER=none cannot back TTS_PROVIDER=csm/);
    expect(problems({ ...base, TTS_PROVIDER: 'csm', CSM_ENDPOINT: 'http://gpu', CSM_BACKCHANNEL: 'on', CSM_BACKCHANNEL_AFTER_MS: '1500' })).toMatch(
      /CSM_BACKCHANNEL_AFTER_MS \(1500\) must be below CSM_TIMEOUT_MS \(1500\)/,
    );
    // A Cartesia fallback chosen by its key still needs its voice id, said in those words.
    expect(problems({ ...base, TTS_PROVIDER: 'csm', CSM_ENDPOINT: 'http://gpu', CARTESIA_API_KEY: 'ck' })).toMatch(/CARTESIA_VOICE_ID is required for the CSM fallback=cartesia/);
  });

  it('says when CSM variables are set but CSM is not the TTS', () => {
    const c = loadConfig({ ...base, CSM_ENDPOINT: 'http://gpu:8001' });
    expect(c.csm).toBeUndefined();
    expect(c.providerNotes.join('\n')).toMatch(/CSM_ENDPOINT is set but TTS_PROVIDER is not csm or csm-bridge: ignored/);
  });
});
