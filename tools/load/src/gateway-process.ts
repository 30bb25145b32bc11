// The gateway under load runs in its own process (as deployed), configured only through its environment.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** CPU seconds (user + system) the process has used so far (Linux /proc). */
  cpuSeconds(): number;
  stop(): Promise<number | null>;
}

/** utime + stime from /proc/<pid>/stat, in seconds (USER_HZ is 100 on Linux). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function startGatewayProcess(env: Record<string, string>, caPem: string): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'load-'));
  writeFileSync(join(dir, 'ca.pem'), caPem);
  const child = spawn(process.execPath, ['--conditions=@voice/source', '-r', '@swc-node/register', 'apps/voice-gateway/src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', SWC_NODE_PROJECT: 'apps/voice-gateway/tsconfig.app.json', NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), PORT: '0', ...env },
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let port: number;
  try {
    port = await new Promise<number>((resolvePort, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`gateway did not start: ${err}`)), 60_000);
      child.stdout?.on('data', (d: Buffer) => {
        if (buf.length < 1_000_000) buf += d.toString();
        const m = /"port":(\d+).*"msg":"voice gateway listening"/.exec(buf);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      });
      void exited.then((code) => reject(new Error(`gateway exited ${code}: ${err}`)));
    });
  } catch (e) {
    child.kill('SIGKILL'); // never leave a gateway behind a failed start: it would keep jest alive
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    cpuSeconds: () => processCpuSeconds(child.pid ?? 0),
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
