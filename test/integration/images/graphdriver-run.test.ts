// End to end on each driver: a one-layer busybox image from the content store, unpacked,
// given a writable layer, mounted and run by berth's runtime; then everything taken down.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ContentStore } from '../../../src/images/content-store.js';
import { sha256Digest } from '../../../src/images/digest.js';
import { MediaType, type ImageConfig, type ImageManifest } from '../../../src/images/formats/index.js';
import { openGraphDriver, unpackImage, type GraphDriverName } from '../../../src/images/graphdriver/index.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { defaultSpec } from '../../../src/runtime/spec/default.js';
import { busyboxRootfs, requireFixtures } from '../../support/fixtures.js';
import { removeTestDirectory } from '../../unit/images/graphdriver/layer-builder.js';

const skip = process.getuid?.() !== 0 && 'needs root (mounts, containers)';

for (const driverName of ['overlay', 'vfs'] as GraphDriverName[]) {
  describe(`busybox on the ${driverName} graph driver`, { skip }, () => {
    let dir = '';
    let runtime: Runtime;
    before(() => {
      requireFixtures();
      dir = mkdtempSync(join(tmpdir(), 'berth-graphdriver-run-'));
      runtime = new Runtime({ root: join(dir, 'state') });
    });
    after(async () => {
      for (const state of await runtime.list().catch(() => [])) {
        await runtime.delete(state.id, { force: true }).catch((err) => console.error(`cleanup ${state.id}: ${err}`));
      }
      await removeTestDirectory(dir);
    });

    it('unpacks the image, runs a container on it and keeps its writes in the container layer', async () => {
      const store = new ContentStore(join(dir, 'content'));
      const layerPath = join(dir, 'layer.tar.gz');
      execFileSync('tar', ['-C', busyboxRootfs, '-czf', layerPath, '.']);
      const blob = readFileSync(layerPath);
      const layerDigest = await store.put(blob);
      const config: ImageConfig = {
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [sha256Digest(gunzipSync(blob))] },
      };
      const configBytes = Buffer.from(JSON.stringify(config));
      const manifest: ImageManifest = {
        kind: 'manifest',
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: await store.put(configBytes), size: configBytes.length },
        layers: [{ mediaType: MediaType.ociLayerGzip, digest: layerDigest, size: blob.length }],
      };

      const driver = await openGraphDriver(join(dir, 'graph'), driverName);
      const top = await unpackImage(driver, store, manifest, config);
      assert.equal(top, config.rootfs.diff_ids[0], "a one-layer image's chain ID is its diff ID");
      assert.equal(await unpackImage(driver, store, manifest, config), top, 'a second unpack reuses the layer');

      const containerId = `bt-${randomBytes(3).toString('hex')}`;
      await driver.createContainerLayer(containerId, top);
      try {
        const rootfs = await driver.mountContainer(containerId);
        const bundle = join(dir, 'bundle');
        mkdirSync(bundle);
        const spec = defaultSpec();
        spec.process!.terminal = false;
        spec.process!.args = ['sh', '-c', 'echo hi > /tmp/x; cat /etc/passwd | head -1'];
        spec.root = { path: rootfs, readonly: false };
        writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));

        const result = await runtime.run(containerId, { bundle, stdio: ['ignore', 'pipe', 'pipe'] });
        assert.equal(result.stderr, '');
        assert.equal(result.exitCode, 0);
        assert.equal(result.stdout, 'root:x:0:0:root:/root:/bin/sh\n');

        assert.equal(readFileSync(join(rootfs, 'tmp', 'x'), 'utf8'), 'hi\n');
        const writable = driverName === 'overlay' ? (await driver.graphDriverData(containerId) as { UpperDir: string }).UpperDir : rootfs;
        assert.equal(readFileSync(join(writable, 'tmp', 'x'), 'utf8'), 'hi\n');
        const [imageLayer] = await driver.diffPaths(top!);
        assert.throws(() => readFileSync(join(imageLayer!, 'tmp', 'x')), { code: 'ENOENT' });
      } finally {
        await driver.unmountContainer(containerId);
        await driver.removeContainerLayer(containerId);
      }
      assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(dir), false);
    });
  });
}
