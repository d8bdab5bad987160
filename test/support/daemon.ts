// A private berthd for one integration test: its own data root, exec root and socket under a
// temporary directory, a busybox image seeded into its store, the real docker CLI pointed at
// it, and a cleanup that leaves nothing behind: containers, monitors, cgroups and mounts of
// this daemon are removed even when the test failed half way. Each daemon has its own default
// bridge and subnets, so its networks never meet the host's or another daemon's.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Readable } from 'node:stream';
import { ContentStore } from '../../src/images/content-store.js';
import { ImageStore } from '../../src/images/image-store.js';
import { importRootfsTar } from '../../src/images/import.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { releasePortmapChains } from '../../src/daemon/engine/network/firewall.js';
import { removeHostBridge } from '../../src/daemon/engine/network/network-service.js';
import { packageRoot } from '../../src/paths.js';
import { busyboxRootfs, requireFixtures } from './fixtures.js';
import { berthCgroupParents } from './sandbox.js';
import { waitFor } from './streams.js';

export const dockerCli = '/usr/local/bin/docker';
export const hasDockerCli = existsSync(dockerCli);
const berthd = join(packageRoot, 'bin', 'berthd');
const berth = join(packageRoot, 'bin', 'berth');

export interface TestDaemonOptions {
  storageDriver?: 'overlay' | 'vfs';
  /** daemon.json contents. */
  daemonJson?: Record<string, unknown>;
  /** Seed busybox:latest (default true). */
  busybox?: boolean;
  /** More berthd flags (another -H listener, TLS files). */
  extraArgs?: string[];
}

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = any>(): T;
}

export class TestDaemon {
  readonly dir: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  /** Unique per daemon: container names made by tests start with it. */
  readonly prefix = `bd-${randomBytes(3).toString('hex')}`;
  private process: ChildProcess | undefined;
  private output = '';
  /** Container cgroups, and berth's cgroup parents, that existed before this daemon: not its leftovers. */
  readonly cgroupsBefore = new Set([...containerCgroups(), ...berthCgroupParents()]);
  /** Its default bridge, its subnet (10.2xx.y.1/24) and the pool of its user networks (a /20). */
  readonly bridge = `btd${randomBytes(4).toString('hex')}`;
  readonly bip: string;
  readonly addressPool: string;
  /** What its networks put on the host, as found at cleanup: checked by daemonLeftovers. */
  readonly networkTraces = { bridges: new Set<string>(), containerIds: new Set<string>() };

  private constructor(private readonly options: TestDaemonOptions) {
    requireFixtures();
    this.dir = mkdtempSync(join(tmpdir(), 'berthd-test-'));
    this.dataRoot = join(this.dir, 'data');
    this.execRoot = join(this.dir, 'run');
    this.socket = join(this.execRoot, 'berth.sock');
    const [a, b, c] = randomBytes(3);
    this.bip = `10.${220 + (a! % 10)}.${b}.1/24`;
    this.addressPool = `10.${230 + (a! % 10)}.${c! & 0xf0}.0/20`;
    this.networkTraces.bridges.add(this.bridge);
    mkdirSync(join(this.dir, 'docker-config'));
    writeFileSync(join(this.dir, 'daemon.json'), JSON.stringify(options.daemonJson ?? {}));
  }

  static async start(options: TestDaemonOptions = {}): Promise<TestDaemon> {
    const daemon = new TestDaemon(options);
    try {
      if (options.busybox ?? true) await daemon.seedBusybox();
      await daemon.restart();
    } catch (err) {
      await daemon.cleanup();
      throw err;
    }
    return daemon;
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  /** The daemon's stderr so far (for assertion messages). */
  get log(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  name(suffix: string): string {
    return `${this.prefix}-${suffix}`;
  }

  private async seedBusybox(): Promise<void> {
    const content = new ContentStore(this.dataRoot);
    const images = await ImageStore.open(join(this.dataRoot, 'image'));
    const tar = spawn('tar', ['--numeric-owner', '-C', busyboxRootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await importRootfsTar(content, images, tar.stdout as Readable, { ref: 'busybox:latest', changes: { Cmd: ['sh'] }, tmpDir: this.dir });
  }

  /** Starts berthd (again, after stop or kill) and waits until it answers. */
  async restart(): Promise<void> {
    const child = spawn(process.execPath, [berthd,
      '--data-root', this.dataRoot, '--exec-root', this.execRoot, '-H', this.host,
      '--config-file', join(this.dir, 'daemon.json'),
      '--bridge', this.bridge, '--bip', this.bip, '--default-address-pool', `base=${this.addressPool},size=24`,
      ...(this.options.storageDriver ? ['--storage-driver', this.options.storageDriver] : []),
      ...(this.options.extraArgs ?? [])], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    let exited = false;
    child.on('exit', () => (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error(`berthd exited during start:\n${this.output}`);
      return (await this.request('GET', '/_ping').catch(() => undefined))?.status === 200;
    }, 15000);
  }

  /** SIGTERM and wait for the exit. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** SIGKILL: the daemon dies without any cleanup; its containers must live on. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.process = undefined;
  }

  /** One API request over the unix socket. */
  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const req = httpRequest({
        socketPath: this.socket, method, path,
        headers: { ...(payload !== undefined && { 'Content-Type': 'application/json' }), ...headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The real docker CLI against this daemon. */
  docker(args: string[], options: { input?: string; timeoutMs?: number } = {}): CommandResult {
    return this.command(dockerCli, args, options);
  }

  /** The docker CLI without blocking the event loop (while the test serves traffic itself). */
  dockerAsync(args: string[]): Promise<CommandResult> {
    return new Promise((resolve) => {
      const child = spawn(dockerCli, args, { env: this.commandEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
    });
  }

  /** berth's own CLI against this daemon. */
  berth(args: string[], options: { input?: string; timeoutMs?: number } = {}): CommandResult {
    return this.command(process.execPath, [berth, ...args], options);
  }

  private command(file: string, args: string[], options: { input?: string; timeoutMs?: number }): CommandResult {
    const result = spawnSync(file, args, {
      input: options.input ?? '',
      timeout: options.timeoutMs ?? 60_000,
      env: this.commandEnv(),
    });
    return { status: result.status ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
  }

  private commandEnv(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: this.host, BERTH_HOST: this.host, DOCKER_CONFIG: join(this.dir, 'docker-config'), BERTH_NO_AUTOSTART: '1' };
  }

  /**
   * Stops the daemon, then removes whatever it left: containers through the runtime's state,
   * monitors still running under this exec root, mounts under the directory, the directory.
   */
  async cleanup(): Promise<void> {
    await this.removeThroughApi().catch(() => {});
    await this.kill9().catch(() => {});
    this.findNetworkTraces();
    const runtime = new Runtime({ root: join(this.execRoot, 'runtime') });
    for (const state of await runtime.list().catch(() => [])) {
      await runtime.delete(state.id, { force: true }).catch((err) => console.error(`cleanup ${state.id}: ${err}`));
    }
    this.deleteRuntimeBinaryContainers();
    for (const pid of processesMentioning(this.dir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    for (const mount of mountsUnder(this.dir).reverse()) spawnSync('umount', ['-l', mount]);
    for (const bridge of this.networkTraces.bridges) await removeHostBridge({ bridge, internal: false }).catch(() => {});
    await releasePortmapChains().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Containers of runc-compatible runtimes (daemon.json "runtimes"), whose state berthd keeps
   * under <exec-root>/runtimes/<name>, and the /berth cgroup parents they leave empty.
   */
  private deleteRuntimeBinaryContainers(): void {
    const runtimes = (this.options.daemonJson?.runtimes ?? {}) as Record<string, { path?: string }>;
    for (const [name, { path }] of Object.entries(runtimes)) {
      const root = join(this.execRoot, 'runtimes', name);
      for (const id of path ? safeReaddir(root) : []) spawnSync(path!, ['--root', root, 'delete', '--force', id]);
    }
    for (const dir of berthCgroupParents()) if (!this.cgroupsBefore.has(dir)) try { rmdirSync(dir); } catch { /* in use */ }
  }

  /**
   * While the daemon still answers, it removes its containers and networks itself, so that
   * their CNI teardown (leases, NAT rules, veths) runs as in real use.
   */
  private async removeThroughApi(): Promise<void> {
    if (!this.process) return;
    const containers = (await this.request('GET', '/containers/json?all=1')).json<Array<{ Id: string }>>();
    await Promise.all(containers.map((c) => this.request('DELETE', `/containers/${c.Id}?force=1`)));
    const networks = (await this.request('GET', '/networks')).json<Array<{ Id: string; Name: string }>>();
    for (const n of networks) if (!['bridge', 'host', 'none'].includes(n.Name)) await this.request('DELETE', `/networks/${n.Id}`);
  }

  /** The bridges and container ids the daemon's data root names, for the leftover check. */
  private findNetworkTraces(): void {
    const networks = join(this.dataRoot, 'network', 'networks');
    for (const file of safeReaddir(networks)) {
      try {
        const bridge = (JSON.parse(readFileSync(join(networks, file), 'utf8')) as { bridge?: string }).bridge;
        if (bridge) this.networkTraces.bridges.add(bridge);
      } catch { /* half-written */ }
    }
    for (const id of safeReaddir(join(this.dataRoot, 'containers'))) this.networkTraces.containerIds.add(id);
  }
}

/**
 * A TestDaemon for the enclosing describe: started before its tests; after them cleaned up and
 * checked for leftovers. Read `.daemon` inside the tests.
 */
export function daemonForSuite(options: TestDaemonOptions = {}): { readonly daemon: TestDaemon } {
  let daemon: TestDaemon | undefined;
  before(async () => {
    daemon = await TestDaemon.start(options);
  });
  after(async () => {
    if (!daemon) return;
    await daemon.cleanup();
    assert.deepEqual(daemonLeftovers(daemon), []);
  });
  return {
    get daemon(): TestDaemon {
      if (!daemon) throw new Error('the suite\'s berthd did not start');
      return daemon;
    },
  };
}

/** Processes whose command line names a path under `dir` (monitors of a test daemon). */
export function processesMentioning(dir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(dir)) found.push(Number(name));
    } catch { /* exited */ }
  }
  return found;
}

export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
}

/** What a test daemon could have left on the host: its directory, mounts, processes, cgroups. */
export function daemonLeftovers(daemon: TestDaemon): string[] {
  const found: string[] = [];
  if (existsSync(daemon.dir)) found.push(daemon.dir);
  found.push(...mountsUnder(daemon.dir).map((m) => `mount ${m}`));
  found.push(...processesMentioning(daemon.dir).map((p) => `process ${p}`));
  found.push(...[...containerCgroups(), ...berthCgroupParents()].filter((dir) => !daemon.cgroupsBefore.has(dir)));
  const links = spawnSync('ip', ['-o', 'link', 'show']).stdout.toString();
  for (const bridge of daemon.networkTraces.bridges) if (links.includes(` ${bridge}:`)) found.push(`link ${bridge}`);
  const rules = spawnSync('iptables-save').stdout.toString().split('\n');
  const traces = [...daemon.networkTraces.bridges, ...daemon.networkTraces.containerIds];
  found.push(...rules.filter((rule) => traces.some((t) => rule.includes(t))).map((rule) => `iptables ${rule}`));
  return found;
}

/** berth's container cgroup directories in every hierarchy. */
function containerCgroups(): string[] {
  return safeReaddir('/sys/fs/cgroup').flatMap((hierarchy) => {
    const base = join('/sys/fs/cgroup', hierarchy, 'berth');
    return safeReaddir(base).map((name) => join(base, name));
  });
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
