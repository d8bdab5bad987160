import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MediaType, chainIds, checkLayersMatch, hostPlatform, normalizePlatform, parseImageConfig, parseManifest, parsePlatform, selectManifest,
  type ImageIndex, type ImageManifest,
} from '../../../../src/images/formats/index.js';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const dockerManifest = {
  schemaVersion: 2,
  mediaType: MediaType.dockerManifest,
  config: { mediaType: MediaType.dockerConfig, size: 1457, digest: d(1) },
  layers: [{ mediaType: MediaType.dockerLayerGzip, size: 2152262, digest: d(2) }],
};

const dockerHubIndex = {
  schemaVersion: 2,
  mediaType: MediaType.ociIndex,
  manifests: [
    { mediaType: MediaType.ociManifest, digest: d(3), size: 610, platform: { architecture: 'amd64', os: 'linux' } },
    { mediaType: MediaType.ociManifest, digest: d(4), size: 610, platform: { architecture: 'arm', os: 'linux', variant: 'v6' } },
    { mediaType: MediaType.ociManifest, digest: d(5), size: 610, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
    { mediaType: MediaType.ociManifest, digest: d(6), size: 610, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
    { mediaType: MediaType.ociManifest, digest: d(7), size: 566, platform: { architecture: 'unknown', os: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
  ],
};

describe('manifests and indexes', () => {
  it('parses a Docker schema 2 manifest', () => {
    const m = parseManifest(json(dockerManifest)) as ImageManifest;
    assert.equal(m.kind, 'manifest');
    assert.equal(m.mediaType, MediaType.dockerManifest);
    assert.equal(m.config.digest, d(1));
    assert.deepEqual(m.layers.map((l) => l.size), [2152262]);
  });

  it('takes the media type from Content-Type or the shape when the document has none (OCI)', () => {
    const { mediaType: _, ...bare } = dockerHubIndex;
    assert.equal(parseManifest(json(bare)).kind, 'index');
    const { mediaType: __, ...bareManifest } = dockerManifest;
    assert.equal(parseManifest(json(bareManifest), `${MediaType.dockerManifest}; charset=utf-8`).mediaType, MediaType.dockerManifest);
    assert.equal(parseManifest(json(bareManifest)).mediaType, MediaType.ociManifest);
  });

  it('refuses schema 1, bad JSON, bad digests and sizes, naming the field', () => {
    assert.throws(() => parseManifest(json({ schemaVersion: 1, name: 'x' })), /schema 1, which was retired/);
    assert.throws(() => parseManifest(Buffer.from('{"schemaVersion": 2,')), /manifest is not valid JSON/);
    const badDigest = { ...dockerManifest, layers: [{ ...dockerManifest.layers[0], digest: 'sha256:abc' }] };
    assert.throws(() => parseManifest(json(badDigest)), /manifest\.layers\[0\]\.digest "sha256:abc" is not a sha256 or sha512 digest/);
    const badSize = { ...dockerManifest, config: { ...dockerManifest.config, size: -1 } };
    assert.throws(() => parseManifest(json(badSize)), /manifest\.config\.size -1 must be a non-negative integer/);
    assert.throws(() => parseManifest(json({ schemaVersion: 2, mediaType: 'application/x-other' })), /"application\/x-other" is not an image manifest or index/);
    assert.throws(() => parseManifest(json([1])), /manifest must be a JSON object/);
  });
});

describe('platforms', () => {
  it('knows the host, in OCI words', () => {
    const host = hostPlatform();
    assert.equal(host.os, 'linux');
    assert.equal(host.architecture, process.arch === 'x64' ? 'amd64' : host.architecture);
  });

  it('parses and normalises --platform values as containerd does', () => {
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(parsePlatform('Linux/x86_64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'aarch64' }), { os: 'linux', architecture: 'arm64' });
    assert.throws(() => parsePlatform('linux'), /invalid platform "linux": expected os\/architecture\[\/variant\]/);
    assert.throws(() => parsePlatform('linux/amd64/v2/x'), /invalid platform/);
  });

  it('selects the manifest of a platform from an index, and says what exists when none fits', () => {
    const index = parseManifest(json(dockerHubIndex)) as ImageIndex;
    assert.equal(selectManifest(index, { os: 'linux', architecture: 'amd64' }).digest, d(3));
    assert.equal(selectManifest(index, parsePlatform('linux/arm/v7')).digest, d(5));
    assert.equal(selectManifest(index, parsePlatform('linux/arm')).digest, d(5));
    assert.equal(selectManifest(index, parsePlatform('linux/arm64')).digest, d(6));
    assert.throws(() => selectManifest(index, parsePlatform('linux/s390x')),
      /no image for linux\/s390x in the manifest list \(it has: linux\/amd64, linux\/arm\/v6, linux\/arm\/v7, linux\/arm64, unknown\/unknown\)/);
  });
});

describe('image config', () => {
  const config = {
    architecture: 'amd64', os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [d(8)] },
    history: [{ created_by: 'ADD file' }],
  };

  it('parses a config and checks it against its manifest', () => {
    const c = parseImageConfig(json(config));
    assert.deepEqual(c.config?.Cmd, ['sh']);
    const manifest = parseManifest(json(dockerManifest)) as ImageManifest;
    checkLayersMatch(manifest, c);
    const twoLayers = { ...manifest, layers: [...manifest.layers, ...manifest.layers] };
    assert.throws(() => checkLayersMatch(twoLayers, c), /the manifest has 2 layers but the config lists 1 diff IDs/);
  });

  it('refuses configs without a usable rootfs', () => {
    assert.throws(() => parseImageConfig(json({ ...config, rootfs: { type: 'other', diff_ids: [] } })), /rootfs must be/);
    assert.throws(() => parseImageConfig(json({ ...config, rootfs: { type: 'layers', diff_ids: ['sha256:x'] } })), /rootfs\.diff_ids\[0\] "sha256:x" is not a sha256 digest/);
    assert.throws(() => parseImageConfig(json({ ...config, os: '' })), /os must be a non-empty string/);
  });

  it('computes chain IDs as the image spec defines them', () => {
    const a = 'sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb';
    const b = 'sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d';
    const c = 'sha256:2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6';
    // Reference values from sha256sum over "<chain> <diff>".
    assert.deepEqual(chainIds([a, b, c]), [
      a,
      'sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676',
      'sha256:2fce7f8ce91bcf0a1428b36e1024639fdbd9469eea762dba98aa749631885106',
    ]);
    assert.deepEqual(chainIds([]), []);
  });
});
