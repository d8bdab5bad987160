// npm run bench:images — pull of a realistic image into an empty store and unpack to a mounted
// rootfs, side by side with `docker pull` from the same registry. The image is a Debian
// bookworm minbase rootfs (debootstrap, cached in bench/.cache), imported as one layer and
// pushed to a local docker-registry. berth: pullImage + unpackImage + createContainerLayer +
// mountContainer (overlay) into a fresh content store and graph root each run. Docker: Debian's
// docker.io (installed when missing) on a private socket, data root and exec root, each run a
// cold `docker pull` (docker unpacks into overlay2 while it pulls). Prints medians and the ratio.
//
//   BENCH_RUNS=5 npm run bench:images
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
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
import { aptInstall, describeMachine, firstExisting, log, run } from './support/host.js';
import { ensureDockerd, startPrivateDockerd, type PrivateDockerd } from './support/private-dockerd.js';
import { median } from './support/stats.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const cacheDir = fileURLToPath(new URL('../../bench/.cache/', import.meta.url));
const fixture = join(cacheDir, 'debian-minbase.tar');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

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

/** Where berth's time goes, per run: download (pull), unpack (gunzip, write, verify, sync), container layer + mount. */
const berthPhases: { pull: number; unpack: number; mount: number }[] = [];

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
      const pulledAt = process.hrtime.bigint();
      const top = await unpackImage(driver, store, pulled.manifest, pulled.config);
      const unpackedAt = process.hrtime.bigint();
      await driver.createContainerLayer('bench', top);
      const rootfs = await driver.mountContainer('bench');
      times.push(seconds(start));
      berthPhases.push({ pull: Number(pulledAt - start) / 1e9, unpack: Number(unpackedAt - pulledAt) / 1e9, mount: seconds(unpackedAt) });
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

async function benchDocker(d: PrivateDockerd, ref: string): Promise<number[]> {
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
  // Other work on the machine shows in the load: compare runs only at similar loads.
  log(describeMachine());
  if (!TestRegistry.available() && !aptInstall(['docker-registry'])) throw new Error('bench: could not install docker-registry');

  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-images-'));
  let registry: TestRegistry | undefined;
  let dockerd: PrivateDockerd | undefined;
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
        dockerd = await startPrivateDockerd(dockerdPath, dir, { insecureRegistries: [registry.host] });
        docker = await benchDocker(dockerd, ref);
      } catch (err) {
        skipped = `dockerd could not be used: ${(err as Error).message}`;
      }
    }

    log(describeMachine());
    console.log(`\npull into an empty store + unpack to a mounted rootfs: Debian bookworm minbase ` +
      `(${mb(tarSize)} tar, ${mb(imported.layer.compressedSize)} gzip layer) from a local docker-registry, ${runs} runs each\n`);
    console.log(`${'engine'.padEnd(40)}${'median s'.padStart(10)}${'min s'.padStart(10)}${'vs docker'.padStart(11)}`);
    const row = (name: string, times: number[], ref?: number) =>
      console.log(`${name.padEnd(40)}${median(times).toFixed(2).padStart(10)}${Math.min(...times).toFixed(2).padStart(10)}${(ref ? `${(median(times) / ref).toFixed(2)}x` : '').padStart(11)}`);
    const phaseRows = () => {
      for (const phase of ['pull', 'unpack', 'mount'] as const) {
        const label = { pull: '  of which download', unpack: '  of which unpack (incl. syncfs)', mount: '  of which container layer + mount' }[phase];
        const values = berthPhases.map((p) => p[phase]);
        console.log(`${label.padEnd(40)}${median(values).toFixed(2).padStart(10)}${Math.min(...values).toFixed(2).padStart(10)}`);
      }
    };
    if (docker) {
      const reference = median(docker);
      row('docker pull (docker.io, overlay2)', docker, reference);
      row('berth pull + unpack + mount (overlay)', berth, reference);
      phaseRows();
      const ratio = median(berth) / reference;
      console.log(`\ntarget: at most 0.60x docker — ${ratio <= 0.6 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
    } else {
      row('berth pull + unpack + mount (overlay)', berth);
      phaseRows();
      console.log(`\ndocker skipped: ${skipped}`);
      console.log('target: at most 0.60x docker — not measured');
    }
  } finally {
    if (dockerd) await dockerd.stop().catch((err) => log(`stopping dockerd: ${(err as Error).message}`));
    unmountUnder(dir);
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
