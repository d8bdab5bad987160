// Small host helpers the benchmarks share: logging to stderr, checked commands, Debian packages,
// and stopping a child process.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

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
