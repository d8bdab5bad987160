// The process half of the spec: image defaults merged into Config (Docker's rules), the
// environment (moby's CreateDaemonEnvironment), the command line and ulimits.
import { InvalidArgument } from '../../../../errors.js';
import type { ContainerConfig, Ulimit } from '../../../../api/types/container-config.js';
import type { ContainerDefaults } from '../../../../images/formats/image-config.js';
import type { Rlimit } from '../../../../runtime/spec/types.js';
import { defaultPathEnv } from './defaults.js';

/** `NAME=value` entries: later ones replace earlier ones of the same name, in place; others are appended. */
export function replaceOrAppendEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const env = [...base];
  const index = new Map(env.map((e, i) => [e.split('=', 1)[0]!, i]));
  for (const entry of overrides) {
    const name = entry.split('=', 1)[0]!;
    const i = index.get(name);
    if (i === undefined) {
      index.set(name, env.length);
      env.push(entry);
    } else {
      env[i] = entry;
    }
  }
  return env;
}

/**
 * Docker's merge of an image's defaults into a container's Config (mergeAndVerifyConfig): User,
 * WorkingDir, StopSignal from the image when unset; Env by name; Entrypoint/Cmd as below.
 * Idempotent: merging an already merged config again changes nothing.
 */
export function mergeImageDefaults(config: ContainerConfig, image: ContainerDefaults | undefined): ContainerConfig {
  if (!image) return config;
  const merged: ContainerConfig = { ...config };
  if (!merged.User && image.User) merged.User = image.User;
  if (!merged.WorkingDir && image.WorkingDir) merged.WorkingDir = image.WorkingDir;
  if (!merged.StopSignal && image.StopSignal) merged.StopSignal = image.StopSignal;
  merged.Env = replaceOrAppendEnv(image.Env ?? [], config.Env ?? []);
  const entrypoint = config.Entrypoint;
  if (!entrypoint?.length) {
    if (!config.Cmd?.length) merged.Cmd = image.Cmd ?? null;
    if (entrypoint === undefined || entrypoint === null) merged.Entrypoint = image.Entrypoint ?? null;
  }
  // An entrypoint of [""] (`--entrypoint ""`) is kept as it is: it means "none" (commandArgs
  // drops it) and, being an explicit entrypoint, keeps the image's Cmd out on a second merge.
  return merged;
}

/** Entrypoint then Cmd; a lone "" entrypoint means none. */
export function commandArgs(config: ContainerConfig): string[] {
  const entrypoint = config.Entrypoint?.length === 1 && config.Entrypoint[0] === '' ? [] : (config.Entrypoint ?? []);
  const args = [...entrypoint, ...(config.Cmd ?? [])];
  if (args.length === 0) throw new InvalidArgument('No command specified');
  return args;
}

/**
 * The container's environment: PATH (overridable), HOSTNAME, TERM=xterm with a tty, then
 * Config.Env replacing by name; HOME from the user's passwd entry when nothing sets it (what
 * runc does inside the container).
 */
export function containerEnv(config: ContainerConfig, hostname: string, home: string): string[] {
  const base = [defaultPathEnv, `HOSTNAME=${hostname}`];
  if (config.Tty) base.push('TERM=xterm');
  const env = replaceOrAppendEnv(base, config.Env ?? []);
  for (const entry of config.Env ?? []) {
    if (!entry.includes('=') || entry.startsWith('=')) throw new InvalidArgument(`invalid environment variable: ${entry}`);
  }
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${home}`);
  return env;
}

/** go-units' ulimit names → RLIMIT_*. */
const ulimitTypes: Record<string, string> = {
  as: 'RLIMIT_AS',
  core: 'RLIMIT_CORE',
  cpu: 'RLIMIT_CPU',
  data: 'RLIMIT_DATA',
  fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK',
  msgqueue: 'RLIMIT_MSGQUEUE',
  nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC',
  rss: 'RLIMIT_RSS',
  rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING',
  stack: 'RLIMIT_STACK',
};

/**
 * HostConfig.Ulimits → process.rlimits. Docker sets none by default: the container inherits the
 * daemon's limits (dockerd's systemd unit gives LimitNOFILE=infinity, so under Docker a
 * container typically sees nofile 1048576; berthd's own limits apply here). -1 is unlimited.
 */
export function rlimits(ulimits: readonly Ulimit[] | null | undefined): Rlimit[] {
  const out: Rlimit[] = [];
  for (const u of ulimits ?? []) {
    const type = ulimitTypes[u.Name];
    if (!type) throw new InvalidArgument(`invalid ulimit type: ${u.Name}`);
    const value = (n: number) => (n === -1 ? 2 ** 64 - 1 : n);
    if (u.Soft !== -1 && u.Hard !== -1 && u.Soft > u.Hard) {
      throw new InvalidArgument(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    }
    if (!Number.isInteger(u.Soft) || !Number.isInteger(u.Hard) || u.Soft < -1 || u.Hard < -1) {
      throw new InvalidArgument(`invalid ulimit value for ${u.Name}: ${u.Soft}:${u.Hard}`);
    }
    const entry = { type, soft: value(u.Soft), hard: value(u.Hard) };
    const i = out.findIndex((r) => r.type === type);
    if (i >= 0) out[i] = entry;
    else out.push(entry);
  }
  return out;
}
