// berth pull, push, login and logout against real registries (Debian's docker-registry on
// 127.0.0.1, one anonymous, one behind htpasswd Basic auth) through a private berthd: docker's
// progress lines per layer off a terminal (compared with the real docker CLI's), digests equal
// to what the registry holds, and credentials in a Docker-style config.json of a temporary
// --config directory (never ~/.docker: HOME points at a temporary directory too).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TestDaemon, daemonLeftovers, dockerCli, hasDockerCli } from '../../support/daemon.js';
import { busyboxRootfs } from '../../support/fixtures.js';
import { TestRegistry } from '../../support/registry.js';
import { waitFor } from '../../support/streams.js';
import { RegistryClient } from '../../../src/images/distribution/registry-client.js';
import { sha256Digest } from '../../../src/images/digest.js';
import { MediaType } from '../../../src/images/formats/media-types.js';
import { packageRoot } from '../../../src/paths.js';

const skip = !hasDockerCli
  ? `${dockerCli} is missing: the comparisons with the docker CLI cannot run`
  : !TestRegistry.available() ? 'docker-registry is missing: install Debian\'s docker-registry' : false;

interface Result { status: number; stdout: string; stderr: string }

/** berth or docker against the daemon with nothing but `--config` naming a config directory. */
function cli(daemon: TestDaemon, home: string, which: 'berth' | 'docker', args: string[], input = ''): Result {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, BERTH_HOST: daemon.host, DOCKER_HOST: daemon.host, BERTH_NO_AUTOSTART: '1' };
  delete env.DOCKER_CONFIG;
  delete env.BERTH_CONFIG;
  const [file, argv] = which === 'berth' ? [process.execPath, [join(packageRoot, 'bin', 'berth'), ...args]] : [dockerCli, args];
  const r = spawnSync(file, argv, { env, input, timeout: 120_000, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Result, what: string): string {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A two-layer image (busybox, then one file) put straight into the registry. */
async function seedTwoLayers(host: string, repository: string, tag: string, dir: string): Promise<{ manifest: string; layers: string[] }> {
  const client = new RegistryClient({ host });
  const base = join(dir, 'base.tar.gz');
  assert.equal(spawnSync('tar', ['--sort=name', '--numeric-owner', '-C', busyboxRootfs, '-czf', base, '.']).status, 0);
  const extra = join(dir, 'extra');
  mkdirSync(extra);
  writeFileSync(join(extra, 'hello.txt'), 'hello from the second layer\n');
  const top = join(dir, 'top.tar.gz');
  assert.equal(spawnSync('tar', ['--numeric-owner', '-C', extra, '-czf', top, 'hello.txt']).status, 0);
  const blobs = [readFileSync(base), readFileSync(top)];
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: blobs.map((b) => sha256Digest(gunzipSync(b))) },
  }));
  for (const blob of [...blobs, config]) await client.uploadBlob(repository, sha256Digest(blob), blob);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, digest: sha256Digest(config), size: config.length },
    layers: blobs.map((b) => ({ mediaType: MediaType.dockerLayerGzip, digest: sha256Digest(b), size: b.length })),
  }));
  await client.putManifest(repository, tag, manifest, MediaType.dockerManifest);
  return { manifest: sha256Digest(manifest), layers: blobs.map((b) => sha256Digest(b)) };
}

/** The registry's manifest for a tag: its digest (sha256 of its bytes) and layer digests. */
async function registryManifest(host: string, repository: string, tag: string, auth?: string): Promise<{ digest: string; layers: string[] }> {
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    headers: { accept: MediaType.dockerManifest, ...(auth && { authorization: `Basic ${Buffer.from(auth).toString('base64')}` }) },
  });
  assert.equal(response.status, 200, `manifest ${repository}:${tag}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const parsed = JSON.parse(bytes.toString()) as { layers: Array<{ digest: string }> };
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, layers: parsed.layers.map((l) => l.digest) };
}

/** The lines about one layer, in order. */
function layerLines(output: string, digest: string): string[] {
  const id = digest.slice(7, 19);
  return output.split('\n').filter((line) => line.startsWith(`${id}: `)).map((line) => line.slice(id.length + 2));
}

describe('berth CLI: pull and push', { skip }, () => {
  let registry: TestRegistry;
  let daemon: TestDaemon;
  let home: string;
  let work: string;
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-home-'));
    work = mkdtempSync(join(tmpdir(), 'berth-seed-'));
    registry = await TestRegistry.start();
    daemon = await TestDaemon.start();
  });
  after(async () => {
    await daemon?.cleanup();
    await registry?.stop();
    const homeEntries = readdirSync(home);
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    assert.deepEqual(homeEntries, [], 'nothing written under HOME (no ~/.docker)');
    await waitFor(() => daemonLeftovers(daemon).length === 0, 10_000).catch(() => {});
    assert.deepEqual(daemonLeftovers(daemon), []);
  });

  it('pulls a two-layer image with docker\'s lines per layer, the registry\'s digest, and the same output as docker pull', async () => {
    const seeded = await seedTwoLayers(registry.host, 't/two', '1', work);
    const image = `${registry.host}/t/two:1`;
    const pulled = ok(cli(daemon, home, 'berth', ['pull', image]), 'berth pull');
    const lines = pulled.trimEnd().split('\n');
    assert.equal(lines[0], '1: Pulling from t/two');
    for (const layer of seeded.layers) {
      const mine = layerLines(pulled, layer);
      assert.equal(mine[0], 'Pulling fs layer', pulled);
      assert.equal(mine.at(-1), 'Pull complete', pulled);
      assert.ok(mine.includes('Download complete'), pulled);
      assert.ok(!mine.some((l) => /\[=*>|\d+(\.\d+)?[kMG]?B\//.test(l)), `no progress bars off a terminal:\n${pulled}`);
    }
    assert.deepEqual(lines.slice(-3), [`Digest: ${seeded.manifest}`, `Status: Downloaded newer image for ${image}`, image]);
    const inspect = JSON.parse(ok(cli(daemon, home, 'berth', ['image', 'inspect', image]), 'inspect'))[0];
    assert.deepEqual(inspect.RepoDigests, [`${registry.host}/t/two@${seeded.manifest}`]);
    assert.equal(inspect.RootFS.Layers.length, 2);
    assert.equal(ok(cli(daemon, home, 'berth', ['run', '--rm', image, 'cat', '/hello.txt']), 'run'), 'hello from the second layer\n');

    // docker pull of the same image into the same (emptied) daemon prints the same lines.
    ok(cli(daemon, home, 'berth', ['rmi', image]), 'rmi');
    const theirs = ok(cli(daemon, home, 'docker', ['pull', image]), 'docker pull');
    assert.deepEqual(theirs.split('\n').filter((l) => !/^[0-9a-f]{12}: /.test(l)), pulled.split('\n').filter((l) => !/^[0-9a-f]{12}: /.test(l)));
    for (const layer of seeded.layers) {
      const dedupe = (xs: string[]) => xs.filter((x, i) => xs[i - 1] !== x);
      assert.deepEqual(dedupe(layerLines(theirs, layer)).filter((l) => l !== 'Waiting'), dedupe(layerLines(pulled, layer)).filter((l) => l !== 'Waiting'));
    }

    const again = ok(cli(daemon, home, 'berth', ['pull', image]), 'pull again');
    assert.match(again, new RegExp(`^Status: Image is up to date for ${image}$`, 'm'));
    assert.equal(ok(cli(daemon, home, 'berth', ['pull', '-q', image]), 'pull -q'), `${image}\n`);
    const defaultTag = cli(daemon, home, 'berth', ['pull', `${registry.host}/t/two`]);
    assert.equal(defaultTag.status, 1);
    assert.match(defaultTag.stdout, /^Using default tag: latest\n/);
    assert.equal(defaultTag.stderr, `Error response from daemon: manifest for ${registry.host}/t/two:latest not found: manifest unknown: manifest unknown\n`);
    assert.equal(defaultTag.stderr, cli(daemon, home, 'docker', ['pull', `${registry.host}/t/two`]).stderr);
  });

  it('pushes with docker\'s lines per layer; the digest it prints is the registry\'s manifest', async () => {
    const image = `${registry.host}/t/bb:v1`;
    ok(cli(daemon, home, 'berth', ['tag', 'busybox', image]), 'tag');
    const pushed = ok(cli(daemon, home, 'berth', ['push', image]), 'berth push');
    const lines = pushed.trimEnd().split('\n');
    assert.equal(lines[0], `The push refers to repository [${registry.host}/t/bb]`);
    const held = await registryManifest(registry.host, 't/bb', 'v1');
    const summary = /^v1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(lines.at(-1)!);
    assert.ok(summary, pushed);
    assert.equal(summary[1], held.digest);
    assert.equal(held.layers.length, 1);
    // Docker names a pushed layer by the first 12 hex digits of its uncompressed digest.
    const diffId = JSON.parse(ok(cli(daemon, home, 'berth', ['image', 'inspect', image]), 'inspect'))[0].RootFS.Layers[0] as string;
    const mine = layerLines(pushed, diffId);
    assert.equal(mine[0], 'Preparing', pushed);
    assert.equal(mine.at(-1), 'Pushed', pushed);
    assert.ok(!/\[=*>/.test(pushed), 'no progress bars off a terminal');

    // The same image pushed again: the layer is there already, the digest the same; and docker
    // push of it prints the same lines.
    const again = ok(cli(daemon, home, 'berth', ['push', image]), 'push again');
    assert.equal(layerLines(again, diffId).at(-1), 'Layer already exists');
    assert.equal(again.trimEnd().split('\n').at(-1), lines.at(-1));
    const theirs = ok(cli(daemon, home, 'docker', ['push', image]), 'docker push');
    assert.equal(theirs, again);

    // No tag: "Using default tag: latest"; -q prints just the name.
    ok(cli(daemon, home, 'berth', ['tag', 'busybox', `${registry.host}/t/bb`]), 'tag latest');
    const latest = ok(cli(daemon, home, 'berth', ['push', `${registry.host}/t/bb`]), 'push latest');
    assert.match(latest, /^Using default tag: latest\nThe push refers to repository/);
    assert.equal((await registryManifest(registry.host, 't/bb', 'latest')).digest, held.digest);
    assert.equal(ok(cli(daemon, home, 'berth', ['push', '-q', image]), 'push -q'), `${image}\n`);
    const missing = cli(daemon, home, 'berth', ['push', `${registry.host}/t/none:1`]);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, `Error response from daemon: An image does not exist locally with the tag: ${registry.host}/t/none:1\n`);
  });
});

describe('berth CLI: login and logout', { skip }, () => {
  const credentials = { username: 'berth', password: 's3cret' };
  let registry: TestRegistry;
  let daemon: TestDaemon;
  let home: string;
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-home-'));
    registry = await TestRegistry.start({ basicAuth: credentials });
    daemon = await TestDaemon.start();
  });
  after(async () => {
    await daemon?.cleanup();
    await registry?.stop();
    rmSync(home, { recursive: true, force: true });
    await waitFor(() => daemonLeftovers(daemon).length === 0, 10_000).catch(() => {});
    assert.deepEqual(daemonLeftovers(daemon), []);
  });

  it('stores the login in --config DIR/config.json as docker does, uses it for push and pull, and forgets it on logout', async () => {
    const mine = join(home, 'berth-config');
    const theirs = join(home, 'docker-config');
    const berth = (args: string[], input?: string) => cli(daemon, home, 'berth', ['--config', mine, ...args], input);
    const docker = (args: string[], input?: string) => cli(daemon, home, 'docker', ['--config', theirs, ...args], input);
    const configFile = join(mine, 'config.json');

    // A wrong password: refused as docker refuses it, nothing stored.
    const wrong = berth(['login', '-u', 'berth', '--password-stdin', registry.host], 'nope\n');
    assert.equal(wrong.status, 1, wrong.stderr);
    assert.equal(wrong.stderr, docker(['login', '-u', 'berth', '--password-stdin', registry.host], 'nope\n').stderr);
    assert.match(wrong.stderr, /401 Unauthorized/);
    assert.ok(!existsSync(configFile));

    const image = `${registry.host}/private/busybox:1`;
    ok(berth(['tag', 'busybox', image]), 'tag');
    const anonymous = berth(['push', image]);
    assert.equal(anonymous.status, 1, 'a push without credentials fails');
    assert.match(anonymous.stderr, /^[^\n]*(access denied|unauthorized|no basic auth credentials)[^\n]*\n$/i, 'one line, no stack trace');

    const login = berth(['login', '-u', 'berth', '--password-stdin', registry.host], 's3cret\n');
    assert.equal(login.status, 0, login.stderr);
    assert.equal(login.stdout, 'Login Succeeded\n');
    assert.match(login.stderr, new RegExp(`^WARNING! Your credentials are stored unencrypted in '${configFile}'\\.`));
    const stored = JSON.parse(readFileSync(configFile, 'utf8'));
    assert.deepEqual(stored, { auths: { [registry.host]: { auth: Buffer.from('berth:s3cret').toString('base64') } } });
    ok(docker(['login', '-u', 'berth', '--password-stdin', registry.host], 's3cret\n'), 'docker login');
    assert.deepEqual(stored.auths, JSON.parse(readFileSync(join(theirs, 'config.json'), 'utf8')).auths, 'the same entry as docker writes');

    // The stored login goes along with push and pull.
    const pushed = ok(berth(['push', image]), 'push');
    const held = await registryManifest(registry.host, 'private/busybox', '1', 'berth:s3cret');
    assert.match(pushed, new RegExp(`^1: digest: ${held.digest} size: \\d+$`, 'm'));
    ok(berth(['rmi', image]), 'rmi');
    assert.match(ok(berth(['pull', image]), 'pull'), new RegExp(`^Digest: ${held.digest}$`, 'm'));

    const logout = berth(['logout', registry.host]);
    assert.equal(logout.status, 0, logout.stderr);
    assert.equal(logout.stdout, `Removing login credentials for ${registry.host}\n`);
    assert.equal(logout.stdout, docker(['logout', registry.host]).stdout);
    assert.deepEqual(JSON.parse(readFileSync(configFile, 'utf8')).auths, {});
    assert.equal(berth(['logout', registry.host]).stdout, `Not logged in to ${registry.host}\n`);
    ok(berth(['rmi', image]), 'rmi');
    const denied = berth(['pull', image]);
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /^Error response from daemon: [^\n]*(access denied|unauthorized|no basic auth credentials)[^\n]*\n$/i);
    assert.ok(!existsSync(join(home, '.docker')), 'never the real ~/.docker');
  });
});
