// Offline STT: PocketSphinx decode time per utterance, JSGF grammar vs the full trigram language model (the peer),
// on the same flite (rms) telephone audio (μ-law 8 kHz, upsampled to 16 kHz as the provider does), in one run.
// Also: decoder load time and grammar set-up time for a small and a large phrase set.
// Run: npx nx run @voice/stt:bench   (with no other benchmark running)
import { decodeMulaw, resample } from '@voice/audio-codec';
import { acquireDecoderHost, releaseDecoderHost, type DecoderConfig } from '../src/local/decoder-host';
import { numberWords } from '../src/local/grammar';
import { fliteMulaw } from '../src/testing/flite-speech';

const CONFIG: DecoderConfig = {
  sphinxbaseLibrary: 'libsphinxbase.so.3',
  pocketsphinxLibrary: 'libpocketsphinx.so.3',
  modelDir: '/usr/share/pocketsphinx/model/en-us',
  decoderArgs: {},
};
const SMALL = [
  'yes please', 'no thank you', 'yes', 'no', 'goodbye', 'please repeat that', 'where is my package',
  'i want to cancel my order', 'what are your opening hours', 'can i speak to a human', 'i need to change my reservation',
  'my account number is one two three four', 'i would like to pay my bill', 'is the store open on sunday',
  'send me a text message', 'book an appointment for tomorrow morning', 'transfer me to technical support',
  'can you transfer me to the billing department', 'please send the invoice to my email address',
  'i would like to book a table for two at seven tonight', 'hello thank you for calling how can i help you today',
];
const ITEMS = ['coffee', 'tea', 'bagel', 'muffin', 'sandwich', 'cookie', 'juice', 'salad', 'soup', 'pizza'];
// 'i would like' / 'can i get' / 'add' × 1..20 × 10 items = 600 phrases, plus the small set.
const LARGE = [
  ...SMALL,
  ...['i would like', 'can i get', 'add'].flatMap((lead) =>
    Array.from({ length: 20 }, (_, i) => numberWords(i + 1).join(' ')).flatMap((n) => ITEMS.map((item) => `${lead} ${n} ${item}`)),
  ),
];
const UTTERANCES = ['Yes please.', 'I want to cancel my order.', 'What are your opening hours?', 'My account number is one two three four.',
  'I would like to book a table for two at seven tonight.', 'Can I get three bagel.'];
const ROUNDS = 5;

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  let t = performance.now();
  const host = await acquireDecoderHost(CONFIG, 32, undefined);
  const loadMs = performance.now() - t;
  const signal = new AbortController().signal;
  try {
    const setup: Record<string, { phrases: number; firstMs: number; cachedMs: number }> = {};
    const names: Record<string, string> = {};
    for (const [label, set] of [['small', SMALL], ['large', LARGE]] as const) {
      t = performance.now();
      const g = await host.grammar(set);
      const firstMs = performance.now() - t;
      t = performance.now();
      await host.grammar(set);
      setup[label] = { phrases: g.phrases, firstMs: +firstMs.toFixed(1), cachedMs: +(performance.now() - t).toFixed(2) };
      names[label] = g.name as string;
    }
    const audio = await Promise.all(UTTERANCES.map(async (u) => resample(decodeMulaw(await fliteMulaw(u)), 8000, 16_000)));
    const cases: Record<string, string | undefined> = { 'grammar, 21 phrases': names['small'], 'grammar, 621 phrases': names['large'], 'language model (peer)': undefined };
    for (const search of Object.values(cases)) await host.decode(audio[0].slice(), search, signal); // warm-up
    const ms: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
    const rtf: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
    const texts: Record<string, string[]> = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, pcm] of audio.entries()) {
        for (const [name, search] of Object.entries(cases)) {
          const d = await host.decode(pcm.slice(), search, signal);
          if (!d) throw new Error('aborted');
          ms[name].push(d.ms);
          rtf[name].push(d.ms / ((pcm.length / 16_000) * 1000));
          if (r === 0) texts[name][i] = d.words.map((w) => w.word).join(' ');
        }
      }
    }
    const peer = median(ms['language model (peer)']);
    const results = Object.keys(cases).map((name) => ({
      case: name,
      decodeMsMedian: +median(ms[name]).toFixed(1),
      decodeMsMax: +Math.max(...ms[name]).toFixed(1),
      rtfMedian: +median(rtf[name]).toFixed(3),
      vsLanguageModel: +(median(ms[name]) / peer).toFixed(3),
    }));
    const audioS = audio.map((a) => +(a.length / 16_000).toFixed(2));
    console.log(JSON.stringify({ node: process.version, rounds: ROUNDS, utterances: UTTERANCES.length, audioS, decoderLoadMs: +loadMs.toFixed(0), grammarSetup: setup, results, transcripts: texts }, null, 2));
    console.log('\n| case | decode per utterance, median (ms) | max (ms) | RTF, median | vs language model |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of results) console.log(`| ${r.case} | ${r.decodeMsMedian} | ${r.decodeMsMax} | ${r.rtfMedian} | ${r.vsLanguageModel} |`);
    console.log(`\ndecoder load ${loadMs.toFixed(0)} ms; grammar set-up: ${Object.entries(setup).map(([k, v]) => `${k} (${v.phrases} phrases) ${v.firstMs} ms first, ${v.cachedMs} ms cached`).join('; ')}`);
  } finally {
    await releaseDecoderHost(CONFIG, host);
  }
}

void main();
