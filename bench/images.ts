// npm run bench:images — pull of a realistic image into an empty store and unpack to a mounted
// rootfs, side by side with `docker pull` from the same registry. The image is a Debian
// bookworm minbase rootfs (debootstrap, cached in bench/.cache), imported as one layer and
// pushed to a local docker-registry. berth: pullImage + unpackImage + createContainerLayer +
// mountContainer (overlay) into a fresh content store and graph root each run. Docker: Debian's
// docker.io (installed when missing) on a private socket, data root and exec root, each run a
// cold `docker pull` (docker unpacks into overlay2 while it pulls). Prints medians and the ratio.
//
//   BENCH_RUNS=5 npm run bench:images
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContentStore } from '../src/images/content-store.js';
import { pullImage } from '../src/images/distribution/pull.js';
import { pushImage } from '../src/images/distribution/push.js';
import { RegistryClient } from '../src/images/distribution/registry-client.js';
import { openGraphDriver, unpackImage } from '../src/images/graphdriver/index.js';
import { ImageStore } from '../src/images/image-store.js';
import { importRootfsTar } from '../src/images/import.js';
import { parseReference } from '../src/images/reference.js';
import { TestRegistry } from '../test/support/registry.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const cacheDir = fileURLToPath(new URL('../../bench/.cache/', import.meta.url));
const fixture = join(cacheDir, 'debian-minbase.tar');
const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

function run(command: string, args: string[], what = `${command} ${args.join(' ')}`): string {
  const r = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  return r.stdout;
}

function aptInstall(packages: string[]): boolean {
  log(`installing ${packages.join(' ')} from Debian`);
  let r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env: aptEnv });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv });
    r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env: aptEnv });
  }
  return r.status === 0;
}

const firstExisting = (paths: string[]) => paths.find((p) => existsSync(p));

/** The Debian mirror apt uses (deb822 .sources or one-line .list), for debootstrap. */
function debianMirror(): string {
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) {
      if (f.endsWith('.sources') || f.endsWith('.list')) files.push(join('/etc/apt/sources.list.d', f));
    }
  } catch { /* no directory */ }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => stanza.split('\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim().split(/\s+/) ?? [];
        if (field('Types').includes('deb') && field('Suites').includes('bookworm') && field('URIs')[0]) return field('URIs')[0]!;
      }
    } else {
      for (const line of text.split('\n')) {
        const words = line.replace(/\[[^\]]*\]/, '').trim().split(/\s+/);
        if (words[0] === 'deb' && words[2] === 'bookworm' && words[1]) return words[1];
      }
    }
  }
  return 'http://deb.debian.org/debian';
}

function ensureFixture(): void {
  if (existsSync(fixture)) return;
  if (!firstExisting(['/usr/sbin/debootstrap', '/usr/bin/debootstrap']) && !aptInstall(['debootstrap'])) {
    throw new Error('bench: could not install debootstrap');
  }
  const mirror = debianMirror();
  mkdirSync(cacheDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-debootstrap-'));
  try {
    log(`debootstrap --variant=minbase bookworm from ${mirror} (once; cached in ${fixture})`);
    const r = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', join(dir, 'rootfs'), mirror], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`debootstrap failed (exit ${r.status ?? r.signal})`);
    run('tar', ['--numeric-owner', '-C', join(dir, 'rootfs'), '-cf', `${fixture}.partial`, '.']);
    renameSync(`${fixture}.partial`, fixture);
  } finally {
    rmSync(`${fixture}.partial`, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8').split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

function unmountUnder(dir: string): void {
  for (const mount of mountsUnder(dir)) {
    if (spawnSync('umount', ['-R', mount], { stdio: 'ignore' }).status !== 0) spawnSync('umount', ['-l', mount], { stdio: 'ignore' });
  }
}

async function benchBerth(host: string, ref: string, dir: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const runDir = join(dir, `berth-${i}`);
    try {
      const store = new ContentStore(join(runDir, 'content'));
      const driver = await openGraphDriver(join(runDir, 'graph'), 'overlay');
      const client = new RegistryClient({ host });
      const start = process.hrtime.bigint();
      const pulled = await pullImage(client, parseReference(ref), store);
      const top = await unpackImage(driver, store, pulled.manifest, pulled.config);
      await driver.createContainerLayer('bench', top);
      const rootfs = await driver.mountContainer('bench');
      times.push(seconds(start));
      if (!existsSync(join(rootfs, 'usr/bin/apt-get'))) throw new Error(`berth: ${rootfs} does not look like the Debian rootfs`);
      await driver.removeContainerLayer('bench');
    } finally {
      unmountUnder(runDir);
      rmSync(runDir, { recursive: true, force: true });
    }
  }
  log('berth done');
  return times;
}

interface Dockerd {
  child: ChildProcess;
  docker: (args: string[]) => string;
  execRoot: string;
}

function ensureDockerd(): string | undefined {
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

/** dockerd makes /run/docker/plugins whatever its exec root; the bench removes it if it made it. */
const hostPluginDir = '/run/docker';
const hostPluginDirExisted = existsSync(hostPluginDir);

async function startDockerd(dockerd: string, registryHost: string, dir: string): Promise<Dockerd> {
  const client = firstExisting(['/usr/bin/docker', '/usr/local/bin/docker']);
  if (!client) throw new Error('no docker client (/usr/bin/docker or /usr/local/bin/docker)');
  const sock = join(dir, 'docker.sock');
  const execRoot = join(dir, 'docker-exec');
  const logFile = join(dir, 'dockerd.log');
  const out = openSync(logFile, 'a');
  const child = spawn(dockerd, [
    '--data-root', join(dir, 'docker-data'), '--exec-root', execRoot, '--pidfile', join(dir, 'docker.pid'),
    '-H', `unix://${sock}`, '--bridge=none', '--iptables=false', '--ip6tables=false', '--storage-driver=overlay2',
    '--insecure-registry', registryHost,
  ], { stdio: ['ignore', out, out] });
  closeSync(out);
  const docker = (args: string[]) => run(client, ['--config', join(dir, 'docker-config'), '-H', `unix://${sock}`, ...args], `docker ${args.join(' ')}`);
  const d = { child, docker, execRoot };
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dockerd exited (${child.exitCode ?? child.signalCode}); see its log above`);
      try {
        log(`dockerd ${docker(['info', '--format', '{{.ServerVersion}} {{.Driver}}']).trim()} on ${sock}`);
        return d;
      } catch {
        if (Date.now() > deadline) throw new Error('dockerd did not answer `docker info` within 30 s; see its log above');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stopDockerd(d);
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
    if (tail) process.stderr.write(`--- dockerd log (last lines) ---\n${tail}\n`);
    throw err;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timeout = new Promise((r) => setTimeout(r, 20_000, 'timeout'));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

async function stopDockerd(d: Dockerd): Promise<void> {
  await stopProcess(d.child);
  if (!hostPluginDirExisted) {
    // Only an empty tree of directories: anything else there is not the bench's.
    try {
      rmdirSync(join(hostPluginDir, 'plugins'));
      rmdirSync(hostPluginDir);
    } catch { /* not empty, or already gone */ }
  }
  // The containerd dockerd started for itself normally goes with it; not if dockerd was killed.
  const pidFile = join(d.execRoot, 'containerd', 'containerd.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && alive(pid)) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
}

async function benchDocker(d: Dockerd, ref: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    try {
      d.docker(['rmi', '-f', ref]);
    } catch { /* not there yet */ }
    d.docker(['image', 'prune', '-af']);
    const start = process.hrtime.bigint();
    d.docker(['pull', '-q', ref]);
    times.push(seconds(start));
  }
  d.docker(['rmi', '-f', ref]);
  log('docker done');
  return times;
}

async function main(): Promise<void> {
  ensureFixture();
  const tarSize = statSync(fixture).size;
  log(`fixture ${fixture}: ${mb(tarSize)}`);
  if (!TestRegistry.available() && !aptInstall(['docker-registry'])) throw new Error('bench: could not install docker-registry');

  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-images-'));
  let registry: TestRegistry | undefined;
  let dockerd: Dockerd | undefined;
  try {
    registry = await TestRegistry.start();
    const ref = `${registry.host}/bench/debian:minbase`;
    const source = new ContentStore(join(dir, 'source'));
    const imported = await importRootfsTar(source, await ImageStore.open(join(dir, 'source-images')), createReadStream(fixture), {
      ref, tmpDir: dir, source: 'debian-minbase.tar',
    });
    const pushClient = new RegistryClient({ host: registry.host });
    await pushImage(pushClient, parseReference(ref), source, { manifestDigest: imported.manifestDigest });
    rmSync(join(dir, 'source'), { recursive: true, force: true });
    log(`pushed ${ref}: one layer, ${mb(imported.layer.compressedSize)} gzip`);

    const berth = await benchBerth(registry.host, ref, dir);

    let docker: number[] | undefined;
    let skipped: string | undefined;
    const dockerdPath = ensureDockerd();
    if (!dockerdPath) skipped = 'docker.io could not be installed from Debian';
    else {
      try {
        dockerd = await startDockerd(dockerdPath, registry.host, dir);
        docker = await benchDocker(dockerd, ref);
      } catch (err) {
        skipped = `dockerd could not be used: ${(err as Error).message}`;
      }
    }

    console.log(`\npull into an empty store + unpack to a mounted rootfs: Debian bookworm minbase ` +
      `(${mb(tarSize)} tar, ${mb(imported.layer.compressedSize)} gzip layer) from a local docker-registry, ${runs} runs each\n`);
    console.log(`${'engine'.padEnd(40)}${'median s'.padStart(10)}${'min s'.padStart(10)}${'vs docker'.padStart(11)}`);
    const row = (name: string, times: number[], ref?: number) =>
      console.log(`${name.padEnd(40)}${median(times).toFixed(2).padStart(10)}${Math.min(...times).toFixed(2).padStart(10)}${(ref ? `${(median(times) / ref).toFixed(2)}x` : '').padStart(11)}`);
    if (docker) {
      const reference = median(docker);
      row('docker pull (docker.io, overlay2)', docker, reference);
      row('berth pull + unpack + mount (overlay)', berth, reference);
      const ratio = median(berth) / reference;
      console.log(`\ntarget: at most 0.60x docker — ${ratio <= 0.6 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
    } else {
      row('berth pull + unpack + mount (overlay)', berth);
      console.log(`\ndocker skipped: ${skipped}`);
      console.log('target: at most 0.60x docker — not measured');
    }
  } finally {
    if (dockerd) await stopDockerd(dockerd).catch((err) => log(`stopping dockerd: ${(err as Error).message}`));
    unmountUnder(dir);
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
