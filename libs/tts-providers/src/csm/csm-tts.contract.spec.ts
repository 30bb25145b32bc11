import { startFakeCsm } from '@voice/testing';
import { csmContractFake, describeTtsContract } from '../testing';
import { CsmTts } from './csm-tts';

describeTtsContract('CsmTts (stream)', async () => {
  const fake = await startFakeCsm({ apiKey: 'proxy-key', msPerChar: 20 });
  const provider = new CsmTts({ baseUrl: fake.url, apiKey: fake.apiKey, responseTimeoutMs: 2000 });
  return { provider, fake: csmContractFake(fake), teardown: async () => { await provider.close(); await fake.close(); } };
});

describeTtsContract('CsmTts (wav)', async () => {
  const fake = await startFakeCsm({ apiKey: 'proxy-key', msPerChar: 20 });
  const provider = new CsmTts({ baseUrl: fake.url, apiKey: fake.apiKey, mode: 'wav', responseTimeoutMs: 2000 });
  const adapter = csmContractFake(fake);
  // WAV answers come whole: "slow" means the body trickles in many writes, so the abort lands mid-body.
  const slow = { ...adapter, slowNext: () => fake.script({ durationMs: 3000, bodyWrites: 40, hang: 2 }) };
  return { provider, fake: slow, teardown: async () => { await provider.close(); await fake.close(); } };
});
