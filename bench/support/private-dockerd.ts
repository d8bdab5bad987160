// A private Docker daemon for the benchmarks: Debian's docker.io (installed when missing, without
// leaving the system's docker running), started on its own socket, data root and exec root under
// a directory the caller owns, with the docker CLI pointed at it. Stopping it also stops the
// containerd it started for itself and removes the /run/docker/plugins and /run/containerd/s
// directories dockerd and containerd's shims make whatever their exec root, and the `docker`
// cgroup parents its containers were put under, when those were not there before.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { aptInstall, firstExisting, log, run, stopPid, stopProcess } from './host.js';

export interface PrivateDockerd {
  readonly child: ChildProcess;
  /** unix://… of its socket. */
  readonly host: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  /** The docker CLI used against it, and the client config directory it is given. */
  readonly client: string;
  readonly configDir: string;
  /** The docker CLI against this daemon; its stdout, or an error with its stderr. */
  docker(args: string[]): string;
  /** The containerd dockerd started for itself (undefined when it uses the system's). */
  containerdPid(): number | undefined;
  stop(): Promise<void>;
}

export interface PrivateDockerdOptions {
  insecureRegistries?: string[];
  /** The docker CLI (default: /usr/bin/docker, else /usr/local/bin/docker). */
  client?: string;
}

/** dockerd's path, after installing Debian's docker.io when missing; undefined when that failed. */
export function ensureDockerd(): string | undefined {
  const found = () => firstExisting(['/usr/sbin/dockerd', '/usr/bin/dockerd']);
  if (found()) return found();
  if (!aptInstall(['docker.io'])) return undefined;
  // The package must not leave the system's docker running.
  if (existsSync('/run/systemd/system')) {
    spawnSync('systemctl', ['disable', '--now', 'docker.service', 'docker.socket'], { stdio: 'ignore' });
  } else if (existsSync('/var/run/docker.pid') && existsSync('/etc/init.d/docker')) {
    spawnSync('/etc/init.d/docker', ['stop'], { stdio: 'ignore' });
  }
  return found();
}

const hostPluginDir = '/run/docker';
/** Where containerd's shims put their sockets, whatever containerd's own state directory. */
const hostShimSocketDir = '/run/containerd';

/** The `docker` cgroup parent in every hierarchy (cgroup v1) or the unified one (v2). */
function dockerCgroupParents(): string[] {
  let hierarchies: string[];
  try {
    hierarchies = existsSync('/sys/fs/cgroup/cgroup.controllers') ? [''] : readdirSync('/sys/fs/cgroup');
  } catch {
    return [];
  }
  return hierarchies.map((h) => join('/sys/fs/cgroup', h, 'docker')).filter((dir) => existsSync(dir));
}

/** Starts dockerd with everything under `dir` and waits until `docker info` answers (30 s). */
export async function startPrivateDockerd(dockerd: string, dir: string, options: PrivateDockerdOptions = {}): Promise<PrivateDockerd> {
  const client = options.client ?? firstExisting(['/usr/bin/docker', '/usr/local/bin/docker']);
  if (!client) throw new Error('no docker client (/usr/bin/docker or /usr/local/bin/docker)');
  const sock = join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  const dataRoot = join(dir, 'docker-data');
  const execRoot = join(dir, 'docker-exec');
  const configDir = join(dir, 'docker-config');
  const logFile = join(dir, 'dockerd.log');
  const pluginDirExisted = existsSync(hostPluginDir);
  const shimSocketDirExisted = existsSync(hostShimSocketDir);
  const cgroupParentsBefore = new Set(dockerCgroupParents());
  const out = openSync(logFile, 'a');
  // Its own process group: a Ctrl-C at the terminal reaches the bench, which stops it in order.
  const child = spawn(dockerd, [
    '--data-root', dataRoot, '--exec-root', execRoot, '--pidfile', join(dir, 'docker.pid'),
    '-H', host, '--bridge=none', '--iptables=false', '--ip6tables=false', '--storage-driver=overlay2',
    ...(options.insecureRegistries ?? []).flatMap((r) => ['--insecure-registry', r]),
  ], { stdio: ['ignore', out, out], detached: true });
  closeSync(out);

  const containerdPid = () => {
    try {
      const pid = Number(readFileSync(join(execRoot, 'containerd', 'containerd.pid'), 'utf8').trim());
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const d: PrivateDockerd = {
    child, host, dataRoot, execRoot, client, configDir, containerdPid,
    docker: (args) => run(client, ['--config', configDir, '-H', host, ...args], `docker ${args.join(' ')}`),
    stop: async () => {
      await stopProcess(child);
      if (!pluginDirExisted) {
        // Only an empty tree of directories: anything else there is not the bench's.
        try {
          rmdirSync(join(hostPluginDir, 'plugins'));
          rmdirSync(hostPluginDir);
        } catch { /* not empty, or already gone */ }
      }
      // The containerd dockerd started for itself normally goes with it; not if dockerd was killed.
      const pid = containerdPid();
      if (pid) await stopPid(pid);
      if (!shimSocketDirExisted) {
        // containerd's shims keep their sockets in /run/containerd/s whatever its state dir.
        try {
          rmdirSync(join(hostShimSocketDir, 's'));
          rmdirSync(hostShimSocketDir);
        } catch { /* not empty, or already gone */ }
      }
      // Empty once its containers are gone (rmdir refuses otherwise).
      for (const dir of dockerCgroupParents().filter((d) => !cgroupParentsBefore.has(d))) {
        try {
          rmdirSync(dir);
        } catch { /* still in use */ }
      }
    },
  };

  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dockerd exited (${child.exitCode ?? child.signalCode}); see its log above`);
      try {
        log(`dockerd ${d.docker(['info', '--format', '{{.ServerVersion}} {{.Driver}}']).trim()} on ${sock}`);
        return d;
      } catch {
        if (Date.now() > deadline) throw new Error('dockerd did not answer `docker info` within 30 s; see its log above');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await d.stop();
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
    if (tail) process.stderr.write(`--- dockerd log (last lines) ---\n${tail}\n`);
    throw err;
  }
}
