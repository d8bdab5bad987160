// docker save / docker load with a real image: busybox pushed to the reference registry, pulled
// by berth, saved in both formats and loaded into empty stores with identical ids, tags and
// blobs; and skopeo (an independent implementation) reading berth's docker-archive and writing
// an OCI layout that berth loads.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImages, loadOciLayoutDirectory, saveImages } from '../../../src/images/archive/index.js';
import { ContentStore } from '../../../src/images/content-store.js';
import { pullImage, type PulledImage } from '../../../src/images/distribution/pull.js';
import { RegistryClient } from '../../../src/images/distribution/registry-client.js';
import { ImageStore } from '../../../src/images/image-store.js';
import { parseReference } from '../../../src/images/reference.js';
import { seedBusyboxImage, type SeededImage } from '../../support/images.js';
import { TestRegistry } from '../../support/registry.js';

const hasSkopeo = existsSync('/usr/bin/skopeo');

function skopeo(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('skopeo', args, { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The names in a tar file, as GNU tar lists them. */
function tarNames(file: string): string[] {
  const r = spawnSync('tar', ['-tf', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

describe('image archives with a real image', { skip: !TestRegistry.available() && 'docker-registry is not installed (set-up installs it)' }, () => {
  let registry: TestRegistry;
  let dir: string;
  let pushed: SeededImage;
  let pulled: PulledImage;
  let store: ContentStore;
  let images: ImageStore;
  const saved: Record<'docker' | 'oci', string> = { docker: '', oci: '' };

  before(async () => {
    registry = await TestRegistry.start();
    const client = new RegistryClient({ host: registry.host });
    dir = mkdtempSync(join(tmpdir(), 'berth-archive-'));
    pushed = await seedBusyboxImage(client, 'test/busybox', dir);
    store = new ContentStore(join(dir, 'content'));
    pulled = await pullImage(client, parseReference(`${registry.host}/test/busybox:single`), store);
    images = await ImageStore.open(join(dir, 'images'));
    await images.add(pulled, 'busybox:latest');
    await images.tag('busybox:latest', 'busybox:1.36');
  });
  after(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const format of ['docker', 'oci'] as const) {
    it(`saves in the ${format} format and loads into empty stores with the same id, tags and blobs`, async () => {
      const file = join(dir, `saved-${format}.tar`);
      saved[format] = file;
      await saveImages(store, images, ['busybox'], createWriteStream(file), { format });

      const names = tarNames(file);
      // The oci format restates the (Docker) manifest in OCI media types: same config and layers.
      const manifestDigest = JSON.parse(spawnSync('tar', ['-xOf', file, 'index.json'], { encoding: 'utf8' }).stdout).manifests[0].digest as string;
      assert.equal(manifestDigest === pushed.amd64, format === 'docker');
      for (const blob of [pushed.layer, pushed.config, manifestDigest]) assert.ok(names.includes(`blobs/sha256/${blob.slice(7)}`), blob);
      assert.ok(names.includes('oci-layout') && names.includes('index.json'));
      assert.equal(names.includes('manifest.json'), format === 'docker');

      const store2 = new ContentStore(join(dir, `content-${format}`));
      const images2 = await ImageStore.open(join(dir, `images-${format}`));
      const result = await loadImages(store2, images2, createReadStream(file));
      assert.deepEqual([...result.messages].sort(), ['Loaded image: busybox:1.36', 'Loaded image: busybox:latest']);
      const before = images.resolve('busybox:latest');
      const after = images2.resolve('busybox:latest');
      assert.equal(after.id, pushed.config);
      assert.equal(after.id, before.id);
      assert.equal(after.manifestDigest, manifestDigest);
      if (format === 'docker') assert.equal(after.manifestDigest, before.manifestDigest);
      assert.deepEqual([...after.repoTags].sort(), [...before.repoTags].sort());
      assert.deepEqual(after.layers, [pushed.layer]);
      assert.deepEqual(after.platform, before.platform);
      assert.deepEqual((await store2.list()).map((b) => b.digest).sort(), [pushed.layer, pushed.config, manifestDigest].sort());
    });
  }

  it('writes manifest.json and repositories as docker save does', () => {
    const out = spawnSync('tar', ['-xOf', saved.docker, 'manifest.json'], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.stdout), [{
      Config: `blobs/sha256/${pushed.config.slice(7)}`,
      RepoTags: ['busybox:latest', 'busybox:1.36'],
      Layers: [`blobs/sha256/${pushed.layer.slice(7)}`],
    }]);
    const repositories = spawnSync('tar', ['-xOf', saved.docker, 'repositories'], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(repositories.stdout), { busybox: { latest: pushed.layer.slice(7), '1.36': pushed.layer.slice(7) } });
  });

  it('is read by skopeo as a docker-archive (inspect, and copy to an OCI layout)', { skip: !hasSkopeo && 'skopeo is not installed' }, () => {
    const inspect = skopeo(['inspect', `docker-archive:${saved.docker}`]);
    assert.equal(inspect.status, 0, inspect.stderr);
    const info = JSON.parse(inspect.stdout) as { Architecture: string; Os: string; RepoTags: string[] };
    assert.equal(info.Architecture, 'amd64');
    assert.equal(info.Os, 'linux');
    const copy = skopeo(['copy', `docker-archive:${saved.docker}`, `oci:${join(dir, 'from-berth')}`]);
    assert.equal(copy.status, 0, copy.stderr);
    const config = skopeo(['inspect', '--config', `oci:${join(dir, 'from-berth')}`]);
    assert.equal(config.status, 0, config.stderr);
    assert.deepEqual((JSON.parse(config.stdout) as { config: { Cmd: string[] } }).config.Cmd, ['sh']);
    // And the oci format as an OCI archive.
    const ociInspect = skopeo(['inspect', `oci-archive:${saved.oci}:latest`]);
    assert.equal(ociInspect.status, 0, ociInspect.stderr);
    assert.deepEqual((JSON.parse(ociInspect.stdout) as { Layers: string[] }).Layers, [pushed.layer]);
  });

  it('loads the OCI layout skopeo writes from the registry', { skip: !hasSkopeo && 'skopeo is not installed' }, async () => {
    const layout = join(dir, 'layout');
    const copy = skopeo(['copy', '--src-tls-verify=false', `docker://${registry.host}/test/busybox:single`, `oci:${layout}:single`]);
    assert.equal(copy.status, 0, copy.stderr);
    const store3 = new ContentStore(join(dir, 'content-layout'));
    const images3 = await ImageStore.open(join(dir, 'images-layout'));
    const result = await loadOciLayoutDirectory(store3, images3, layout, { ref: 'single', name: 'busybox' });
    assert.deepEqual(result.messages, ['Loaded image: busybox:single']);
    const record = images3.resolve('busybox:single');
    assert.equal(record.id, pushed.config);
    const manifest = JSON.parse(readFileSync(store3.path(record.manifestDigest), 'utf8')) as { config: { digest: string } };
    assert.equal(manifest.config.digest, pushed.config);
    await assert.rejects(loadOciLayoutDirectory(store3, images3, layout, { ref: 'nope' }), /no image named "nope"/);
  });

  it("loads skopeo's classic docker-archive", { skip: !hasSkopeo && 'skopeo is not installed' }, async () => {
    const file = join(dir, 'skopeo-archive.tar');
    const copy = skopeo(['copy', '--src-tls-verify=false', `docker://${registry.host}/test/busybox:single`, `docker-archive:${file}:busybox:skopeo`]);
    assert.equal(copy.status, 0, copy.stderr);
    const store4 = new ContentStore(join(dir, 'content-skopeo'));
    const images4 = await ImageStore.open(join(dir, 'images-skopeo'));
    const result = await loadImages(store4, images4, createReadStream(file));
    assert.deepEqual(result.messages, ['Loaded image: busybox:skopeo']);
    assert.equal(images4.resolve('busybox:skopeo').id, pushed.config);
  });
});
