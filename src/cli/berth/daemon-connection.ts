// Finding the daemon: -H, then BERTH_HOST, then DOCKER_HOST, then where berthd listens by its
// own daemon.json (BERTH_DAEMON_CONFIG, else /etc/berth/daemon.json: its "hosts" or
// "exec-root"), which is the default socket unless that file says otherwise. When nothing
// answers there and the user is root, berth starts berthd in the background with that same
// daemon.json (unless BERTH_NO_AUTOSTART is set), as a convenience for a machine without a
// service manager; with a host named explicitly, it never does.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiClient, DaemonUnreachable, tlsFromCertPath, type TlsOptions } from '../../api/client.js';
import { defaultDaemonHost } from '../../api/host.js';
import { packageRoot } from '../../paths.js';
import { parseDaemonArgs } from '../../daemon/config.js';

export interface ConnectionFlags {
  host?: string | undefined;
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string | undefined;
  tlscert?: string | undefined;
  tlskey?: string | undefined;
}

export interface ResolvedHost {
  host: string;
  /** Named by the user (-H or the environment): never autostarted. */
  explicit: boolean;
  /** BERTH_DAEMON_CONFIG: the daemon.json an autostarted berthd is given. */
  daemonConfig?: string | undefined;
  /** The exec root of the berthd that daemon.json describes. */
  execRoot?: string | undefined;
}

export function resolveHost(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): ResolvedHost {
  const host = flags.host || env.BERTH_HOST || env.DOCKER_HOST;
  if (host) return { host, explicit: true };
  const daemonConfig = env.BERTH_DAEMON_CONFIG || undefined;
  // berthd's own reading of its daemon.json, so that both agree on where it listens.
  const config = parseDaemonArgs(daemonConfig ? ['--config-file', daemonConfig] : []);
  return { host: config.hosts[0] ?? defaultDaemonHost, explicit: false, daemonConfig, execRoot: config.execRoot };
}

export function resolveTls(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): TlsOptions | undefined {
  const certPath = env.BERTH_CERT_PATH || env.DOCKER_CERT_PATH;
  const verify = Boolean(flags.tlsverify || env.BERTH_TLS_VERIFY || env.DOCKER_TLS_VERIFY);
  if (!flags.tls && !verify && !flags.tlscacert && !flags.tlscert && !flags.tlskey) return undefined;
  const fromPath = certPath ? tlsFromCertPath(certPath, verify) : ({ verify } as TlsOptions);
  return {
    ca: flags.tlscacert ?? fromPath.ca,
    cert: flags.tlscert ?? fromPath.cert,
    key: flags.tlskey ?? fromPath.key,
    verify: verify || Boolean(flags.tlscacert),
  };
}

/** A client whose daemon answered /_ping (started by berth if allowed). */
export async function connect(flags: ConnectionFlags, stderr: NodeJS.WritableStream): Promise<ApiClient> {
  const { host, explicit, daemonConfig, execRoot } = resolveHost(flags);
  const tls = resolveTls(flags);
  const client = new ApiClient({ host, tls, version: process.env.BERTH_API_VERSION || process.env.DOCKER_API_VERSION || undefined });
  try {
    await client.version();
    return client;
  } catch (err) {
    if (!(err instanceof DaemonUnreachable) || explicit || !autostartAllowed() || err.code === 'EACCES') throw err;
  }
  const { pid, log } = startDaemon(execRoot ?? '/run/berth', daemonConfig);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.version();
      break;
    } catch (err) {
      if (!(err instanceof DaemonUnreachable) || Date.now() > deadline) {
        throw new DaemonUnreachable(host, (err as DaemonUnreachable).code, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  stderr.write(`berth: berthd was not running; started it in the background (pid ${pid}, log ${log})\n`);
  return client;
}

function autostartAllowed(): boolean {
  return !process.env.BERTH_NO_AUTOSTART && typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * berthd detached from this terminal and process group, its output appended to a log: the
 * host's /var/log/berthd.log, or, for a berthd of its own daemon.json, its exec root's.
 */
function startDaemon(execRoot: string, daemonConfig: string | undefined): { pid: number; log: string } {
  const log = !daemonConfig && writableDir('/var/log') ? '/var/log/berthd.log' : join(execRoot, 'berthd.log');
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'a', 0o640);
  try {
    const args = [join(packageRoot, 'bin', 'berthd'), ...(daemonConfig ? ['--config-file', daemonConfig] : [])];
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    return { pid: child.pid ?? 0, log };
  } finally {
    closeSync(fd);
  }
}

function writableDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
