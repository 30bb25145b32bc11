import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWav } from '@voice/audio-codec';
import { loadProfiles, ProfileError } from './profiles';

describe('loadProfiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csm-profiles-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('without a folder: only the built-in default (speaker 0)', async () => {
    expect([...(await loadProfiles(undefined)).values()]).toEqual([{ id: 'default', speakerId: 0 }]);
  });

  it('reads <id>.json with a reference WAV; the built-in default stays unless a file defines it', async () => {
    const samples = Int16Array.from({ length: 8000 }, (_, i) => (i % 100) * 10);
    await writeFile(join(dir, 'ava.wav'), writeWav(samples, 16_000));
    await writeFile(join(dir, 'ava.json'), JSON.stringify({ speaker_id: 4, reference_audio: 'ava.wav', reference_text: ' Hi, this is Ava. ' }));
    await writeFile(join(dir, 'plain.json'), JSON.stringify({ speaker_id: 9 }));
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const profiles = await loadProfiles(dir);
    expect([...profiles.keys()].sort()).toEqual(['ava', 'default', 'plain']);
    const ava = profiles.get('ava');
    expect(ava).toMatchObject({ id: 'ava', speakerId: 4, reference: { text: 'Hi, this is Ava.', audio: { sampleRate: 16_000 } } });
    expect(ava?.reference?.audio.samples).toEqual(samples);
    await writeFile(join(dir, 'default.json'), JSON.stringify({ speaker_id: 1 }));
    expect((await loadProfiles(dir)).get('default')).toEqual({ id: 'default', speakerId: 1 });
  });

  it('rejects bad files, listing each: speaker id, missing transcript, a path outside the folder, a bad id, bad JSON', async () => {
    await writeFile(join(dir, 'big.json'), JSON.stringify({ speaker_id: 5000 }));
    await writeFile(join(dir, 'notext.json'), JSON.stringify({ reference_audio: 'x.wav' }));
    await writeFile(join(dir, 'escape.json'), JSON.stringify({ reference_audio: '../secret.wav', reference_text: 'x' }));
    await writeFile(join(dir, 'bad id.json'), '{}');
    await writeFile(join(dir, 'broken.json'), '{');
    const error = await loadProfiles(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileError);
    const problems = (error as ProfileError).problems.join('\n');
    for (const file of ['big.json', 'notext.json', 'escape.json', 'bad id.json', 'broken.json']) expect(problems).toContain(file);
    expect(problems).toMatch(/inside the profiles folder/);
    await expect(loadProfiles(join(dir, 'missing'))).rejects.toThrow(/cannot be read/);
  });
});
