// A private berthd for one integration test: its own data root, exec root and socket under a
// temporary directory, a busybox image seeded into its store, the real docker CLI pointed at
// it, and a cleanup that leaves nothing behind: containers, monitors, cgroups and mounts of
// this daemon are removed even when the test failed half way.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ContentStore } from '../../src/images/content-store.js';
import { ImageStore } from '../../src/images/image-store.js';
import { importRootfsTar } from '../../src/images/import.js';
import { Runtime } from '../../src/runtime/runtime.js';
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

  private constructor(private readonly options: TestDaemonOptions) {
    requireFixtures();
    this.dir = mkdtempSync(join(tmpdir(), 'berthd-test-'));
    this.dataRoot = join(this.dir, 'data');
    this.execRoot = join(this.dir, 'run');
    this.socket = join(this.execRoot, 'berth.sock');
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

  /** berth's own CLI against this daemon. */
  berth(args: string[], options: { input?: string; timeoutMs?: number } = {}): CommandResult {
    return this.command(process.execPath, [berth, ...args], options);
  }

  private command(file: string, args: string[], options: { input?: string; timeoutMs?: number }): CommandResult {
    const result = spawnSync(file, args, {
      input: options.input ?? '',
      timeout: options.timeoutMs ?? 60_000,
      env: { ...process.env, DOCKER_HOST: this.host, BERTH_HOST: this.host, DOCKER_CONFIG: join(this.dir, 'docker-config'), BERTH_NO_AUTOSTART: '1' },
    });
    return { status: result.status ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
  }

  /**
   * Stops the daemon, then removes whatever it left: containers through the runtime's state,
   * monitors still running under this exec root, mounts under the directory, the directory.
   */
  async cleanup(): Promise<void> {
    await this.kill9().catch(() => {});
    const runtime = new Runtime({ root: join(this.execRoot, 'runtime') });
    for (const state of await runtime.list().catch(() => [])) {
      await runtime.delete(state.id, { force: true }).catch((err) => console.error(`cleanup ${state.id}: ${err}`));
    }
    for (const pid of processesMentioning(this.dir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    for (const mount of mountsUnder(this.dir).reverse()) spawnSync('umount', ['-l', mount]);
    rmSync(this.dir, { recursive: true, force: true });
  }
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
