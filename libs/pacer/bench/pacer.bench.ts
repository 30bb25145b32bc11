// Pacer benchmark: send-time error, drift and CPU for @voice/pacer against naive peers, in one run.
// Run: npx nx run @voice/pacer:bench   (with no other benchmark running, so timings do not overlap)
// Env: PACER_BENCH_QUICK=1 shortens every run (a smoke test of the bench itself).
import { cpus, loadavg } from 'node:os';
import { table, wireCharsSent } from './measure';
import type { Row } from './measure';
import { SCHEDULERS, runRealtime, runSimulated } from './schedulers';

const QUICK = process.env['PACER_BENCH_QUICK'] === '1';
const SIM: Array<[calls: number, seconds: number]> = QUICK ? [[1, 5], [100, 5]] : [[1, 60], [100, 60], [300, 60], [1000, 60]];
const REAL: Array<[calls: number, seconds: number]> = QUICK ? [[1, 1], [100, 1]] : [[1, 10], [100, 10], [300, 10], [1000, 5]];

const gc = (globalThis as { gc?: () => void }).gc;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const started = Date.now();
  const load0 = loadavg();
  const rows: Row[] = [];
  for (const [calls, seconds] of SIM) {
    for (const kind of SCHEDULERS) {
      gc?.();
      rows.push(runSimulated(kind, calls, seconds, 1234 + calls));
      process.stderr.write(`simulated ${calls} ${kind} done\n`);
    }
  }
  for (const [calls, seconds] of REAL) {
    // Rotate the order per size so no scheduler always runs right after the heaviest one.
    const order = SCHEDULERS.map((_, i) => SCHEDULERS[(i + calls) % SCHEDULERS.length]);
    for (const kind of order) {
      gc?.();
      await pause(300);
      rows.push(await runRealtime(kind, calls, seconds, 99 + calls));
      process.stderr.write(`real-time ${calls} ${kind} done\n`);
    }
  }
  const sorted = [
    ...rows.filter((r) => r.mode === 'simulated'),
    ...rows
      .filter((r) => r.mode === 'real-time')
      .sort((a, b) => a.calls - b.calls || SCHEDULERS.indexOf(a.scheduler as never) - SCHEDULERS.indexOf(b.scheduler as never)),
  ];
  const result = {
    node: process.version,
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    loadavgBefore: load0,
    loadavgAfter: loadavg(),
    wallSeconds: (Date.now() - started) / 1000,
    wireChars: wireCharsSent(),
    rows: sorted,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log();
  console.log(table(sorted));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
