/* Load bench: `nx run @voice/load:bench`. Args: --calls 50,100,200 --seconds 20 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { type LoadRunResult, runLoad } from './load-run';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const n = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '-');

function row(r: LoadRunResult): string {
  const s = r.stagesMs;
  const st = (k: string): string => `${n(s[k]?.p50 ?? NaN, 2)} / ${n(s[k]?.p99 ?? NaN, 2)}`;
  return `| ${r.calls} (${r.connected}) | ${n(r.gatewayCpuPct)} | ${n(r.cpuPerCallPct, 2)} | ${n(r.gapMs.p50)} / ${n(r.gapMs.p99)} / ${n(r.gapMs.p999)} / ${n(r.gapMs.max)} | ${n(r.gapMs.over30Pct, 2)} | ${st('stt_final_to_llm_first_token')} | ${st('tts_first_audio_to_first_frame')} | ${r.bargeIns} | ${n(r.bargeInClientMs.p50)} / ${n(r.bargeInClientMs.p99)} | ${n(r.bargeInGatewayMs.p50, 2)} / ${n(r.bargeInGatewayMs.p99, 2)} | ${r.underruns} | ${r.violations} | ${n(r.loadGeneratorCpuPct)} |`;
}

async function main(): Promise<void> {
  const counts = arg('calls', '50,100,200').split(',').map(Number);
  const seconds = Number(arg('seconds', '20'));
  console.log(`voice-gateway load: ${counts.join(', ')} calls x ${seconds} s; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; gateway in its own process, clients + fakes in this one, loopback`);
  const results: LoadRunResult[] = [];
  for (const calls of counts) {
    const r = await runLoad({ calls, seconds });
    results.push(r);
    console.log(JSON.stringify(r));
  }
  console.log('\n| calls (connected) | gateway CPU % of 1 core | CPU % per call | inter-frame gap p50 / p99 / p99.9 / max ms | gaps > 30 ms % | STT final → LLM first token p50 / p99 ms | TTS first audio → first frame p50 / p99 ms | barge-ins | speech onset → clear at client p50 / p99 ms | onset detected → clear sent (gateway) p50 / p99 ms | pacer underruns | protocol violations | load generator CPU % |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) console.log(row(r));
  mkdirSync('tmp', { recursive: true });
  writeFileSync('tmp/load-results.json', JSON.stringify(results, null, 2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
