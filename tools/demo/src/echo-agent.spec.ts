import { FakeTwilioClient } from '@voice/testing';
import { synthesizeCaller } from './caller-audio';
import { startEchoAgent, type EchoAgent } from './echo-agent';

describe('demo echo agent (libs end to end over a real socket)', () => {
  let agent: EchoAgent;
  let client: FakeTwilioClient;

  beforeEach(async () => {
    agent = await startEchoAgent();
    client = new FakeTwilioClient({ url: agent.url });
    await client.connect();
  });
  afterEach(async () => {
    await client.close().catch(() => undefined);
    await agent.close();
  });

  it('answers an utterance with paced audio and marks that echo after playback', async () => {
    const utterance = synthesizeCaller([
      { kind: 'voice', ms: 400 },
      { kind: 'silence', ms: 500 },
    ]);
    await client.sendPcm16(utterance, 8000, { realtime: false });
    await client.waitFor((c) => c.marks.filter((m) => m.echoedAt !== undefined).length === 2, 5000);
    expect(agent.turns).toHaveLength(1);
    expect(client.marks.map((m) => [m.name, m.flushed])).toEqual([
      ['turn-1-part-1', false],
      ['turn-1-part-2', false],
    ]);
    // Everything it queued was played: whole 160-byte frames of the parroted speech.
    expect(client.playedAudio().length).toBe(Math.ceil(agent.turns[0].bytes / 160) * 160);
    expect(client.violations).toEqual([]);
  });

  it('stops talking on barge-in: clear is sent and no frame of that reply follows it', async () => {
    const first = synthesizeCaller([
      { kind: 'voice', ms: 1500 },
      { kind: 'silence', ms: 420 },
    ]);
    await client.sendPcm16(first, 8000, { realtime: false });
    await client.waitFor((c) => c.received.some((f) => f.frame?.event === 'media'), 3000);
    await client.sendPcm16(synthesizeCaller([{ kind: 'voice', ms: 200 }]), 8000, { realtime: false });
    await client.waitFor((c) => c.clears.length === 1, 3000);
    const clearIndex = client.received.findIndex((f) => f.frame?.event === 'clear');
    const afterClear = client.received.slice(clearIndex + 1).filter((f) => f.frame?.event === 'media');
    expect(afterClear).toEqual([]);
    expect(agent.turns[0].bargeIn?.droppedMs).toBeGreaterThan(0);
    expect(client.violations).toEqual([]);
  });
});
