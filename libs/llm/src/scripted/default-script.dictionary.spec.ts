import { existsSync, readFileSync } from 'node:fs';
import { COFFEE_SHOP_SCRIPT } from './coffee-shop-script';
import { compileScript } from './compile-script';

// The pronunciation dictionary of Debian's pocketsphinx-en-us, which the local STT builds its grammar against:
// a phrase with a word outside it cannot be recognised through the grammar.
const CMUDICT = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';
const hasDict = existsSync(CMUDICT);
if (!hasDict) console.warn(`default-script.dictionary.spec: skipped, ${CMUDICT} is missing (apt-get install pocketsphinx-en-us)`);
const d = hasDict ? describe : describe.skip;

d('expected phrases of the default script are recogniser words', () => {
  it('uses only words of cmudict in every state', () => {
    const words = new Set(readFileSync(CMUDICT, 'utf8').split('\n').map((l) => l.split(' ')[0]?.replace(/\(\d+\)$/, '')));
    const missing = new Map<string, string>();
    let phrases = 0;
    for (const st of compileScript(COFFEE_SHOP_SCRIPT, 'scripted').states.values()) {
      for (const p of st.phrases ?? []) {
        phrases++;
        for (const w of p.split(' ')) if (!words.has(w)) missing.set(w, `${st.id}: "${p}"`);
      }
    }
    expect(phrases).toBeGreaterThan(1000);
    expect([...missing.entries()]).toEqual([]);
  });
});
