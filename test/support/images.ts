// A realistic two-platform image seeded into a test registry: the busybox fixture as one
// gzipped layer (as image builders write it), a config per platform, their manifests, and a
// manifest list. Tagged "single" (amd64 only) and "multi" (the list).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sha256Digest } from '../../src/images/digest.js';
import type { RegistryClient } from '../../src/images/distribution/registry-client.js';
import { MediaType } from '../../src/images/formats/media-types.js';
import { busyboxRootfs } from './fixtures.js';

export interface SeededImage {
  index: string;
  amd64: string;
  arm64: string;
  config: string;
  armConfig: string;
  layer: string;
  layerSize: number;
  /** The layer blob on disk (in `workDir`). */
  layerPath: string;
}

export async function seedBusyboxImage(client: RegistryClient, repository: string, workDir: string): Promise<SeededImage> {
  const layerPath = join(workDir, 'layer.tar.gz');
  const tar = spawnSync('tar', ['--sort=name', '--numeric-owner', '-C', busyboxRootfs, '-czf', layerPath, '.']);
  assert.equal(tar.status, 0, tar.stderr?.toString());
  const layer = readFileSync(layerPath);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [sha256Digest(gunzipSync(layer))] },
  }));
  const armConfig = Buffer.from(JSON.stringify({ ...JSON.parse(config.toString()), architecture: 'arm64' }));
  for (const blob of [layer, config, armConfig]) await client.uploadBlob(repository, sha256Digest(blob), blob);
  const manifestFor = (cfg: Buffer) => Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, digest: sha256Digest(cfg), size: cfg.length },
    layers: [{ mediaType: MediaType.dockerLayerGzip, digest: sha256Digest(layer), size: layer.length }],
  }));
  const amd64 = manifestFor(config);
  const arm64 = manifestFor(armConfig);
  await client.putManifest(repository, sha256Digest(amd64), amd64, MediaType.dockerManifest);
  await client.putManifest(repository, sha256Digest(arm64), arm64, MediaType.dockerManifest);
  await client.putManifest(repository, 'single', amd64, MediaType.dockerManifest);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.dockerManifestList,
    manifests: [
      { mediaType: MediaType.dockerManifest, digest: sha256Digest(arm64), size: arm64.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: MediaType.dockerManifest, digest: sha256Digest(amd64), size: amd64.length, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  }));
  await client.putManifest(repository, 'multi', index, MediaType.dockerManifestList);
  return {
    index: sha256Digest(index), amd64: sha256Digest(amd64), arm64: sha256Digest(arm64),
    config: sha256Digest(config), armConfig: sha256Digest(armConfig), layer: sha256Digest(layer),
    layerSize: layer.length, layerPath,
  };
}
