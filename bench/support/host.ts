// Small host helpers the benchmarks share: logging to stderr, checked commands, Debian packages,
// stopping a child process, removing a bench's directory with anything left in it, and a line
// describing the machine.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { mountsUnder, processesMentioning } from '../../test/support/daemon.js';

export const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** Runs a command to completion; its stdout, or an error with its stderr. */
export function run(command: string, args: string[], what = `${command} ${args.join(' ')}`): string {
  const r = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  return r.stdout;
}

const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

/** apt-get install, with an apt-get update and a second try when the first fails. */
export function aptInstall(packages: string[]): boolean {
  log(`installing ${packages.join(' ')} from Debian`);
  let r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env: aptEnv });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv });
    r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env: aptEnv });
  }
  return r.status === 0;
}

export const firstExisting = (paths: string[]) => paths.find((p) => existsSync(p));

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, and SIGKILL when the child has not exited within `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timeout = new Promise((r) => setTimeout(r, graceMs, 'timeout'));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The same for a process that is not our child (known by pid only). */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  if (!(pid > 0) || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < graceMs && alive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Kills any process still mentioning `dir`, unmounts what is mounted under it, and removes it. */
export function removeBenchDir(dir: string): void {
  for (const pid of processesMentioning(dir)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  for (const mount of mountsUnder(dir).sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', mount], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

/** `machine: N cores (model), M MiB, kernel …, cgroup v1|v2, load …`. */
export function describeMachine(): string {
  const cpu = cpus();
  const cgroup = readFileSync('/proc/mounts', 'utf8').includes(' /sys/fs/cgroup cgroup2 ') ? 'v2' : 'v1';
  return `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), ${(totalmem() / 1048576).toFixed(0)} MiB, kernel ${release()}, ` +
    `cgroup ${cgroup}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}
