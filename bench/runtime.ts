// npm run bench:runtime — create + start + wait + delete of `true` in a busybox bundle, N times
// each, side by side: berth-runtime as a library (how berthd uses it), berth-runtime as a
// command, and runc (installed from Debian when missing). Prints medians and ratios to runc.
//
//   BENCH_RUNS=50 npm run bench:runtime
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '../src/runtime/runtime.js';
import { defaultSpec } from '../src/runtime/spec/default.js';
import { busyboxRootfs, requireFixtures, runtimeCommand } from '../test/support/fixtures.js';

const runs = Number(process.env.BENCH_RUNS ?? 30);
const warmup = 3;

function ensureRunc(): string {
  for (const path of ['/usr/sbin/runc', '/usr/bin/runc']) if (existsSync(path)) return path;
  console.log('bench: installing runc from Debian (the reference)');
  const install = spawnSync('apt-get', ['install', '-y', '-qq', 'runc'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install.status !== 0) throw new Error('bench: could not install runc');
  return '/usr/sbin/runc';
}

function makeBundle(dir: string): string {
  const spec = defaultSpec();
  spec.process!.terminal = false;
  spec.process!.args = ['true'];
  spec.root = { path: busyboxRootfs, readonly: true };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

function checkedSpawn(command: string, args: string[]): void {
  const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
}

async function measure(name: string, once: (i: number) => Promise<void> | void): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await once(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await once(i);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  process.stderr.write(`bench: ${name} done\n`);
  return times;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function main(): Promise<void> {
  requireFixtures();
  const runc = ensureRunc();
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  try {
    const bundle = makeBundle(dir);
    const library = new Runtime({ root: join(dir, 'berth-lib') });
    const results: [string, number[]][] = [];
    results.push(['runc (command)', await measure('runc', (i) => checkedSpawn(runc, ['--root', join(dir, 'runc'), 'run', '--bundle', bundle, `bench-runc-${i}`]))]);
    results.push(['berth-runtime (command)', await measure('berth-runtime command', (i) => checkedSpawn(runtimeCommand, ['--root', join(dir, 'berth-cmd'), 'run', '--bundle', bundle, `bench-cmd-${i}`]))]);
    results.push(['berth-runtime (library)', await measure('berth-runtime library', async (i) => {
      const r = await library.run(`bench-lib-${i}`, { bundle, stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.exitCode !== 0) throw new Error(`library run exited ${r.exitCode}`);
    })]);

    const reference = median(results[0]![1]);
    console.log(`\ncreate + start + wait + delete of \`true\` (busybox bundle), ${runs} runs each after ${warmup} warm-up runs\n`);
    console.log(`${'runtime'.padEnd(26)}${'median ms'.padStart(10)}${'p90 ms'.padStart(10)}${'vs runc'.padStart(10)}`);
    for (const [name, times] of results) {
      const m = median(times);
      console.log(`${name.padEnd(26)}${m.toFixed(1).padStart(10)}${percentile(times, 0.9).toFixed(1).padStart(10)}${(m / reference).toFixed(2).padStart(9)}x`);
    }
    const ratio = median(results[2]![1]) / reference;
    console.log(`\ntarget: library at most 0.50x runc — ${ratio <= 0.5 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
