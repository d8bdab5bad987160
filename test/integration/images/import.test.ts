// `docker import` on berth: the busybox root filesystem as a plain tar becomes a tagged
// one-layer image, which unpacks on a graph driver and runs; what is not a tar is refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ContentStore } from '../../../src/images/content-store.js';
import { MediaType, hostPlatform, parseImageConfig, parseManifest } from '../../../src/images/formats/index.js';
import { openGraphDriver, unpackImage } from '../../../src/images/graphdriver/index.js';
import { ImageStore } from '../../../src/images/image-store.js';
import { importRootfsTar } from '../../../src/images/import.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { defaultSpec } from '../../../src/runtime/spec/default.js';
import { busyboxRootfs, requireFixtures } from '../../support/fixtures.js';
import { removeTestDirectory } from '../../unit/images/graphdriver/layer-builder.js';

const skip = process.getuid?.() !== 0 && 'needs root (mounts, containers)';

describe('importing a root filesystem tar', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-import-'));
  });
  after(async () => {
    await removeTestDirectory(dir);
  });

  it('refuses input that is not a tar archive, with a clear message', async () => {
    const store = new ContentStore(join(dir, 'content-bad'));
    const images = await ImageStore.open(join(dir, 'images-bad'));
    const input = Readable.from([Buffer.from('this is certainly not a tar archive\n'.repeat(40))]);
    await assert.rejects(importRootfsTar(store, images, input, { ref: 'bad:1', tmpDir: dir }), /imported archive \(-\) is not a tar archive/);
    assert.equal(images.find('bad:1'), undefined);
    assert.deepEqual(await store.list(), []);
  });

  it('makes a Docker v2 one-layer image that unpacks and runs', { skip }, async () => {
    requireFixtures();
    const runtime = new Runtime({ root: join(dir, 'state') });
    const store = new ContentStore(join(dir, 'content'));
    const images = await ImageStore.open(join(dir, 'images'));
    const tar = spawn('tar', ['-C', busyboxRootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const result = await importRootfsTar(store, images, tar.stdout, { ref: 'imported:test', changes: { Cmd: ['sh'] }, tmpDir: dir });

    const image = images.resolve('imported:test');
    assert.equal(image.id, result.id);
    assert.deepEqual(image.repoTags, ['imported:test']);
    assert.deepEqual(image.repoDigests, []);
    const manifest = parseManifest(await store.read(image.manifestDigest));
    assert.equal(manifest.kind, 'manifest');
    if (manifest.kind !== 'manifest') return;
    assert.equal(manifest.mediaType, MediaType.dockerManifest);
    assert.equal(manifest.layers[0]!.mediaType, MediaType.dockerLayerGzip);
    const config = parseImageConfig(await store.read(manifest.config.digest));
    assert.equal(config.architecture, hostPlatform().architecture);
    assert.deepEqual(config.rootfs.diff_ids, [result.layer.diffId]);
    assert.equal(config.history?.[0]?.comment, 'Imported from -');
    assert.deepEqual(config.config?.Cmd, ['sh']);

    const driver = await openGraphDriver(join(dir, 'graph'));
    const top = await unpackImage(driver, store, manifest, config);
    await driver.createContainerLayer('imported-1', top);
    try {
      const rootfs = await driver.mountContainer('imported-1');
      const bundle = join(dir, 'bundle');
      mkdirSync(bundle);
      const spec = defaultSpec();
      spec.process!.terminal = false;
      spec.process!.args = ['sh', '-c', 'echo imported'];
      spec.root = { path: rootfs, readonly: false };
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
      const run = await runtime.run('imported-1', { bundle, stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(run.stderr, '');
      assert.equal(run.exitCode, 0);
      assert.equal(run.stdout, 'imported\n');
    } finally {
      for (const state of await runtime.list().catch(() => [])) await runtime.delete(state.id, { force: true }).catch(() => {});
      await driver.unmountContainer('imported-1');
      await driver.removeContainerLayer('imported-1');
    }
  });
});
