// An image pulled into a content store is pushed to another repository of the reference
// registry (uploaded, or mounted from where it came from), pulled back into an empty store with
// identical digests, and read by skopeo, an independent client.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFound } from '../../../src/errors.js';
import { ContentStore } from '../../../src/images/content-store.js';
import { sha256Digest } from '../../../src/images/digest.js';
import { pullImage } from '../../../src/images/distribution/pull.js';
import { pushImage, type PushProgress } from '../../../src/images/distribution/push.js';
import { RegistryClient } from '../../../src/images/distribution/registry-client.js';
import { MediaType } from '../../../src/images/formats/media-types.js';
import { parseReference } from '../../../src/images/reference.js';
import { seedBusyboxImage } from '../../support/images.js';
import { TestRegistry } from '../../support/registry.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64' };

/** The last status each blob reached. */
function finalStatuses(progress: readonly PushProgress[]): Map<string, PushProgress['status']> {
  return new Map(progress.map((p) => [p.digest, p.status]));
}

describe('push', { skip: !TestRegistry.available() && 'docker-registry is not installed (set-up installs it)' }, () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  let dir: string;
  const source = { index: '', amd64: '', arm64: '', config: '', armConfig: '', layer: '' };
  let storeCount = 0;
  const newStore = () => new ContentStore(join(dir, `store-${++storeCount}`));
  const ref = (text: string) => parseReference(`${registry.host}/${text}`);

  before(async () => {
    registry = await TestRegistry.start();
    client = new RegistryClient({ host: registry.host });
    dir = mkdtempSync(join(tmpdir(), 'berth-push-'));
    Object.assign(source, await seedBusyboxImage(client, 'test/busybox', dir));
  });
  after(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uploads a pulled image to another repository, and it pulls back into an empty store unchanged', async () => {
    const store = newStore();
    const pulled = await pullImage(client, ref('test/busybox:single'), store);
    const progress: PushProgress[] = [];
    const pushed = await pushImage(client, ref('test/copy:v1'), store, { manifestDigest: pulled.manifestDigest, onProgress: (p) => progress.push(p) });
    assert.equal(pushed.digest, source.amd64);
    assert.deepEqual(pushed.manifests, []);
    assert.deepEqual(finalStatuses(progress), new Map([[source.config, 'done'], [source.layer, 'done']]));
    const layerProgress = progress.filter((p) => p.digest === source.layer);
    assert.equal(layerProgress[0]!.status, 'uploading');
    assert.equal(layerProgress.at(-1)!.bytes, layerProgress.at(-1)!.total);

    const empty = newStore();
    const back = await pullImage(client, ref('test/copy:v1'), empty);
    assert.equal(back.digest, source.amd64);
    assert.equal(back.configDigest, source.config);
    assert.deepEqual(back.manifest.layers.map((l) => l.digest), [source.layer]);
    assert.deepEqual((await empty.list()).map((b) => b.digest).sort(), [source.amd64, source.config, source.layer].sort());

    const again: PushProgress[] = [];
    await pushImage(client, ref('test/copy:v2'), store, { manifestDigest: pulled.manifestDigest, onProgress: (p) => again.push(p) });
    assert.deepEqual(again.map((p) => p.status), ['exists', 'exists'], 'a second push uploads nothing');
    assert.equal((await client.getManifest('test/copy', 'v2')).digest, source.amd64);
  });

  it('mounts the blobs from the repository they came from instead of uploading them', async () => {
    const store = newStore();
    const pulled = await pullImage(client, ref('test/busybox:single'), store);
    const progress: PushProgress[] = [];
    const pushed = await pushImage(client, ref('test/mounted:v1'), store, {
      manifestDigest: pulled.manifestDigest, mountFrom: 'test/busybox', onProgress: (p) => progress.push(p),
    });
    assert.equal(pushed.digest, source.amd64);
    assert.deepEqual(progress.map((p) => p.status), ['mounted', 'mounted']);
    const back = await pullImage(client, ref('test/mounted:v1'), newStore());
    assert.equal(back.manifestDigest, source.amd64);
    assert.equal(back.configDigest, source.config);
  });

  it('pushes a multi-platform index after its platform manifests, by tag and by digest', async () => {
    const store = newStore();
    await pullImage(client, ref('test/busybox:multi'), store, { platform: amd64 });
    const partial = newStore();
    await pullImage(client, ref('test/busybox:multi'), partial, { platform: amd64 });
    await pullImage(client, ref('test/busybox:multi'), store, { platform: arm64 });

    // Only one platform is local: refused before anything is sent.
    await assert.rejects(pushImage(client, ref('test/multi:partial'), partial, { manifestDigest: source.index }),
      (err) => err instanceof NotFound && err.message.includes(`manifest ${source.arm64} is not in the content store (listed in index ${source.index}`));
    await assert.rejects(client.getManifest('test/multi', 'partial'), NotFound);

    const progress: PushProgress[] = [];
    const pushed = await pushImage(client, ref('test/multi:v2'), store, { manifestDigest: source.index, onProgress: (p) => progress.push(p) });
    assert.equal(pushed.digest, source.index);
    assert.deepEqual(pushed.manifests, [source.arm64, source.amd64]);
    assert.equal(progress.filter((p) => p.digest === source.layer && p.status === 'done').length, 1, 'the shared layer is pushed once');
    assert.deepEqual([...finalStatuses(progress).keys()].sort(), [source.armConfig, source.config, source.layer].sort());

    for (const [platform, manifest, config] of [[arm64, source.arm64, source.armConfig], [amd64, source.amd64, source.config]] as const) {
      const back = await pullImage(client, ref('test/multi:v2'), newStore(), { platform });
      assert.equal(back.digest, source.index);
      assert.equal(back.manifestDigest, manifest);
      assert.equal(back.configDigest, config);
    }
    await pushImage(client, ref(`test/multi@${source.index}`), store, { manifestDigest: source.index });
    assert.equal((await client.getManifest('test/multi', source.index)).digest, source.index);
  });

  it('streams a large blob from its file, whole and in chunks, and it comes back identical', async () => {
    const store = newStore();
    const big = randomBytes(20 * 1024 * 1024);
    const bigDigest = await store.put(big);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [bigDigest] } }));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: await store.put(config), size: config.length },
      layers: [{ mediaType: MediaType.ociLayer, digest: bigDigest, size: big.length }],
    }));
    const manifestDigest = await store.put(manifest);

    for (const [repository, chunkSize] of [['test/big', undefined], ['test/big-chunked', 6 * 1024 * 1024]] as const) {
      const progress: PushProgress[] = [];
      await pushImage(client, ref(`${repository}:v1`), store, {
        manifestDigest, onProgress: (p) => progress.push(p), ...(chunkSize !== undefined && { chunkSize }),
      });
      const uploading = progress.filter((p) => p.digest === bigDigest && p.status === 'uploading').map((p) => p.bytes);
      assert.ok(uploading.length > 3, `progress while uploading (${uploading.length} reports)`);
      assert.ok(uploading.every((bytes, i) => i === 0 || bytes >= uploading[i - 1]!), 'bytes only grow');
      assert.equal(uploading.at(-1), big.length);

      const back = newStore();
      const image = await pullImage(client, ref(`${repository}:v1`), back);
      assert.equal(image.manifestDigest, manifestDigest);
      assert.equal(sha256Digest(await back.read(bigDigest)), bigDigest);
    }
  });

  it('uploads an empty blob from a file', async () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    await client.uploadBlobFromFile('test/empty', sha256Digest(''), empty, 0);
    assert.equal(await client.blobSize('test/empty', sha256Digest('')), 0);
  });

  it('is copied and inspected by skopeo, an independent client', { skip: !existsSync('/usr/bin/skopeo') && 'skopeo is not installed' }, async () => {
    const store = newStore();
    const pulled = await pullImage(client, ref('test/busybox:single'), store);
    await pushImage(client, ref('test/skopeo:v1'), store, { manifestDigest: pulled.manifestDigest, mountFrom: 'test/busybox' });
    const layout = join(dir, 'layout');
    const copy = spawnSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${registry.host}/test/skopeo:v1`, `oci:${layout}:v1`], { encoding: 'utf8' });
    assert.equal(copy.status, 0, copy.stderr);
    assert.ok(existsSync(join(layout, 'index.json')));
    const inspect = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/test/skopeo:v1`], { encoding: 'utf8' });
    assert.equal(inspect.status, 0, inspect.stderr);
    const info = JSON.parse(inspect.stdout) as { Digest: string; Layers: string[]; Architecture: string };
    assert.equal(info.Digest, pulled.manifestDigest);
    assert.deepEqual(info.Layers, [source.layer]);
    assert.equal(info.Architecture, 'amd64');
  });
});
