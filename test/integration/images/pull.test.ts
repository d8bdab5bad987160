// An image pushed to the reference registry with berth's client is pulled back into an empty
// content store with identical digests; skopeo (an independent implementation) reads it too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContentStore } from '../../../src/images/content-store.js';
import { sha256Digest } from '../../../src/images/digest.js';
import { pullImage, type PullProgress } from '../../../src/images/distribution/pull.js';
import { RegistryClient } from '../../../src/images/distribution/registry-client.js';
import { MediaType } from '../../../src/images/formats/media-types.js';
import { parseReference } from '../../../src/images/reference.js';
import { seedBusyboxImage } from '../../support/images.js';
import { TestRegistry } from '../../support/registry.js';
import { waitFor } from '../../support/streams.js';

const pullWorker = fileURLToPath(new URL('../../support/pull-worker.js', import.meta.url));

describe('pull', { skip: !TestRegistry.available() && 'docker-registry is not installed (set-up installs it)' }, () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  let dir: string;
  const pushed = { index: '', amd64: '', arm64: '', config: '', layer: '', layerSize: 0, layerPath: '' };

  before(async () => {
    registry = await TestRegistry.start();
    client = new RegistryClient({ host: registry.host });
    dir = mkdtempSync(join(tmpdir(), 'berth-pull-'));
    Object.assign(pushed, await seedBusyboxImage(client, 'test/busybox', dir));
  });
  after(async () => {
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pulls a multi-platform image into an empty store, choosing the platform, with identical digests', async () => {
    const store = new ContentStore(join(dir, 'store-1'));
    const progress: PullProgress[] = [];
    const image = await pullImage(client, parseReference(`${registry.host}/test/busybox:multi`), store, {
      platform: { os: 'linux', architecture: 'amd64' },
      onProgress: (p) => progress.push(p),
    });
    assert.equal(image.digest, pushed.index);
    assert.equal(image.manifestDigest, pushed.amd64);
    assert.equal(image.configDigest, pushed.config);
    assert.deepEqual(image.config.config?.Cmd, ['sh']);
    for (const digest of [pushed.index, pushed.amd64, pushed.config, pushed.layer]) assert.ok(await store.has(digest), digest);
    assert.equal(await store.has(pushed.arm64), false, 'the other platform is not fetched');
    const layerProgress = progress.filter((p) => p.digest === pushed.layer);
    assert.deepEqual(layerProgress.at(-1), { digest: pushed.layer, kind: 'layer', status: 'done', bytes: pushed.layerSize, total: pushed.layerSize });

    const again: PullProgress[] = [];
    await pullImage(client, parseReference(`${registry.host}/test/busybox:multi`), store, { onProgress: (p) => again.push(p) });
    assert.deepEqual(again.map((p) => p.status), ['exists', 'exists'], 'a second pull downloads nothing');
  });

  it('pulls by digest and refuses a platform the image does not have', async () => {
    const store = new ContentStore(join(dir, 'store-2'));
    const image = await pullImage(client, parseReference(`${registry.host}/test/busybox@${pushed.amd64}`), store);
    assert.equal(image.manifestDigest, pushed.amd64);
    await assert.rejects(
      pullImage(client, parseReference(`${registry.host}/test/busybox:multi`), store, { platform: { os: 'linux', architecture: 's390x' } }),
      /no image for linux\/s390x in the manifest list \(it has: linux\/arm64, linux\/amd64\)/,
    );
  });

  it('resumes a layer download that was interrupted', async () => {
    const store = new ContentStore(join(dir, 'store-3'));
    const layer = readFileSync(pushed.layerPath);
    // The first half arrives, then the connection drops.
    async function* interrupted() {
      yield layer.subarray(0, Math.floor(layer.length / 2));
      throw new Error('connection reset');
    }
    await assert.rejects(store.ingest(pushed.layer, layer.length, interrupted()), /connection reset/);
    assert.equal(await store.partialSize(pushed.layer), Math.floor(layer.length / 2));
    const progress: PullProgress[] = [];
    await pullImage(client, parseReference(`${registry.host}/test/busybox:single`), store, { onProgress: (p) => progress.push(p) });
    assert.ok(await store.has(pushed.layer));
    const firstLayerReport = progress.find((p) => p.digest === pushed.layer)!;
    assert.equal(firstLayerReport.bytes, Math.floor(layer.length / 2), 'the download started where the partial ended');
  });

  it('leaves a consistent store when killed in the middle of a pull, and the next pull completes', async () => {
    // A large layer, so that the kill lands while it downloads.
    const big = randomBytes(32 * 1024 * 1024);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest(big)] } }));
    await client.uploadBlob('test/big', sha256Digest(big), big);
    await client.uploadBlob('test/big', sha256Digest(config), config);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: sha256Digest(config), size: config.length },
      layers: [{ mediaType: MediaType.ociLayer, digest: sha256Digest(big), size: big.length }],
    }));
    await client.putManifest('test/big', 'v1', manifest, MediaType.ociManifest);

    const root = join(dir, 'store-killed');
    const store = new ContentStore(root);
    const worker = spawn(process.execPath, [pullWorker, registry.host, `${registry.host}/test/big:v1`, root], { stdio: 'ignore' });
    const exited = new Promise((r) => worker.once('exit', r));
    try {
      await waitFor(async () => (await store.partialSize(sha256Digest(big))) > 0, 20_000);
    } finally {
      worker.kill('SIGKILL');
      await exited;
    }
    assert.equal(await store.has(sha256Digest(big)), false, 'no unverified blob is visible');
    assert.ok((await store.list()).every((b) => b.digest !== sha256Digest(big)));
    const image = await pullImage(client, parseReference(`${registry.host}/test/big:v1`), store);
    assert.equal(image.manifestDigest, sha256Digest(manifest));
    assert.equal(sha256Digest(await store.read(sha256Digest(big))), sha256Digest(big));
  });

  it('is read by skopeo, an independent client', { skip: !existsSync('/usr/bin/skopeo') && 'skopeo is not installed' }, () => {
    const inspect = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/test/busybox:single`], { encoding: 'utf8' });
    assert.equal(inspect.status, 0, inspect.stderr);
    const info = JSON.parse(inspect.stdout) as { Digest: string; Layers: string[]; Architecture: string };
    assert.equal(info.Digest, pushed.amd64);
    assert.deepEqual(info.Layers, [pushed.layer]);
    assert.equal(info.Architecture, 'amd64');
  });
});
