// docker save / docker load on a small synthetic image: round trips in both formats, the
// classic docker-archive layout, and the hostile archives that must be refused with nothing
// recorded and nothing written outside the content store.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { archiveEntryName, loadImages, saveImages } from '../../../../src/images/archive/index.js';
import { ContentStore } from '../../../../src/images/content-store.js';
import { sha256Digest } from '../../../../src/images/digest.js';
import { parseImageConfig } from '../../../../src/images/formats/image-config.js';
import { parseManifest, type ImageManifest } from '../../../../src/images/formats/manifest.js';
import { MediaType } from '../../../../src/images/formats/media-types.js';
import { ImageStore } from '../../../../src/images/image-store.js';
import { buildTar, type TestEntry } from './tar-builder.js';

const hex = (digest: string) => digest.slice('sha256:'.length);

/** A one-layer image: an uncompressed layer tar, its config and an OCI manifest. */
function syntheticImage(tag = 'one') {
  const layer = buildTar([{ name: 'hello.txt', body: `hello ${tag}\n` }]);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'] }, rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: sha256Digest(config), size: config.length },
    layers: [{ mediaType: MediaType.ociLayer, digest: sha256Digest(layer), size: layer.length }],
  }));
  return { layer, config, manifest, layerDigest: sha256Digest(layer), configDigest: sha256Digest(config), manifestDigest: sha256Digest(manifest) };
}

function ociArchive(img: ReturnType<typeof syntheticImage>, overrides: { blobs?: TestEntry[]; refName?: string } = {}): Buffer {
  const index = { schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, digest: img.manifestDigest, size: img.manifest.length, annotations: { 'org.opencontainers.image.ref.name': overrides.refName ?? 'example.com/app:v1' } }] };
  return buildTar([
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', body: JSON.stringify(index) },
    ...(overrides.blobs ?? [
      { name: `blobs/sha256/${hex(img.layerDigest)}`, body: img.layer },
      { name: `blobs/sha256/${hex(img.configDigest)}`, body: img.config },
      { name: `blobs/sha256/${hex(img.manifestDigest)}`, body: img.manifest },
    ]),
  ]);
}

async function collect(run: (out: PassThrough) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await run(out);
  return Buffer.concat(chunks);
}

describe('image archives (docker save / docker load)', () => {
  let dir: string;
  let store: ContentStore;
  let images: ImageStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-archive-unit-'));
    store = new ContentStore(join(dir, 'content'));
    images = await ImageStore.open(join(dir, 'images'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function assertNothingRecorded(): Promise<void> {
    assert.deepEqual(images.list(), []);
    assert.deepEqual((await ImageStore.open(join(dir, 'images'))).list(), []);
    const ingest = join(dir, 'content', 'ingest');
    if (existsSync(ingest)) assert.deepEqual(readdirSync(ingest).filter((n) => n.endsWith('.partial')), [], 'no partial is left');
  }

  it('cleans entry names and refuses absolute ones and ".."', () => {
    assert.equal(archiveEntryName('./blobs//sha256/abc'), 'blobs/sha256/abc');
    assert.equal(archiveEntryName('manifest.json'), 'manifest.json');
    assert.throws(() => archiveEntryName('../evil'), /climbs out/);
    assert.throws(() => archiveEntryName('blobs/../../evil'), /climbs out/);
    assert.throws(() => archiveEntryName('/etc/passwd'), /absolute path/);
  });

  it('loads an OCI layout archive, named by its ref.name, and a gzip-compressed one', async () => {
    const img = syntheticImage();
    const result = await loadImages(store, images, Readable.from([ociArchive(img)]));
    assert.deepEqual(result.messages, ['Loaded image: example.com/app:v1']);
    const record = images.resolve('example.com/app:v1');
    assert.equal(record.id, img.configDigest);
    assert.equal(record.manifestDigest, img.manifestDigest);
    assert.deepEqual(record.layers, [img.layerDigest]);

    const other = syntheticImage('two');
    const gz = await loadImages(store, images, Readable.from([gzipSync(ociArchive(other, { refName: 'v2' }))]));
    assert.deepEqual(gz.messages, [`Loaded image ID: ${other.configDigest}`], 'a bare tag without a name loads by id, as Docker does');
  });

  for (const format of ['docker', 'oci'] as const) {
    it(`round-trips through the ${format} format into empty stores`, async () => {
      const img = syntheticImage();
      for (const b of [img.layer, img.config, img.manifest]) await store.put(b);
      await images.add({ configDigest: img.configDigest, manifestDigest: img.manifestDigest, manifest: parseManifest(img.manifest) as ImageManifest, config: parseImageConfig(img.config) }, 'example.com/app:v1');
      await images.tag(img.configDigest, 'app:latest');
      const archive = await collect((out) => saveImages(store, images, ['example.com/app:v1', 'app'], out, { format }));

      const store2 = new ContentStore(join(dir, 'content-2'));
      const images2 = await ImageStore.open(join(dir, 'images-2'));
      const result = await loadImages(store2, images2, Readable.from([archive]));
      assert.deepEqual(result.messages.sort(), ['Loaded image: app:latest', 'Loaded image: example.com/app:v1']);
      const loaded = images2.resolve('app:latest');
      assert.equal(loaded.id, img.configDigest);
      assert.equal(loaded.manifestDigest, img.manifestDigest);
      assert.deepEqual([...loaded.repoTags].sort(), ['app:latest', 'example.com/app:v1']);
      assert.deepEqual((await store2.list()).map((b) => b.digest).sort(), [img.layerDigest, img.configDigest, img.manifestDigest].sort());
    });
  }

  it('loads a classic docker-archive (<hex>.json config, <id>/layer.tar, a symlinked layer), writing a manifest for it', async () => {
    const img = syntheticImage();
    const v1id = 'a'.repeat(64);
    const archive = buildTar([
      { name: `${v1id}/`, type: 'Directory' },
      { name: `${v1id}/VERSION`, body: '1.0' },
      { name: `${v1id}/json`, body: '{}' },
      { name: `${v1id}/layer.tar`, body: img.layer },
      // A layer used again is a link to its first copy (Docker before 25, skopeo).
      { name: `${'c'.repeat(64)}/layer.tar`, type: 'SymbolicLink', linkpath: `../${v1id}/layer.tar` },
      { name: `${hex(img.configDigest)}.json`, body: img.config },
      { name: 'manifest.json', body: JSON.stringify([{ Config: `${hex(img.configDigest)}.json`, RepoTags: ['busybox:classic'], Layers: [`${'c'.repeat(64)}/layer.tar`] }]) },
      { name: 'repositories', body: JSON.stringify({ busybox: { classic: v1id } }) },
    ]);
    const result = await loadImages(store, images, Readable.from([archive]));
    assert.deepEqual(result.messages, ['Loaded image: busybox:classic']);
    const record = images.resolve('busybox:classic');
    assert.equal(record.id, img.configDigest);
    assert.deepEqual(record.layers, [img.layerDigest]);
    const manifest = parseManifest(await store.read(record.manifestDigest)) as ImageManifest;
    assert.equal(manifest.layers[0]!.mediaType, MediaType.ociLayer);
  });

  it('refuses a blob whose bytes do not match its name, recording nothing', async () => {
    const img = syntheticImage();
    const archive = ociArchive(img, {
      blobs: [
        { name: `blobs/sha256/${hex(img.configDigest)}`, body: img.config },
        { name: `blobs/sha256/${hex(img.layerDigest)}`, body: Buffer.concat([img.layer.subarray(0, 100), Buffer.from('X'), img.layer.subarray(101)]) },
        { name: `blobs/sha256/${hex(img.manifestDigest)}`, body: img.manifest },
      ],
    });
    await assert.rejects(loadImages(store, images, Readable.from([archive])), (err: Error) => {
      assert.equal(err.name, 'InvalidArgument');
      assert.match(err.message, new RegExp(`entry "blobs/sha256/${hex(img.layerDigest)}" does not match its digest`));
      return true;
    });
    assert.equal(await store.has(img.layerDigest), false);
    await assertNothingRecorded();
  });

  it('refuses a blob the manifest needs but the archive lacks', async () => {
    const img = syntheticImage();
    const archive = ociArchive(img, { blobs: [
      { name: `blobs/sha256/${hex(img.configDigest)}`, body: img.config },
      { name: `blobs/sha256/${hex(img.manifestDigest)}`, body: img.manifest },
    ] });
    await assert.rejects(loadImages(store, images, Readable.from([archive])), /layer sha256:[0-9a-f]{64} is not in the archive/);
    await assertNothingRecorded();
  });

  const hostile: [string, TestEntry, RegExp][] = [
    ['an entry named ../evil', { name: '../evil', body: 'pwned' }, /"\.\.\/evil" climbs out of the archive/],
    ['a nested ..', { name: 'blobs/../../evil', body: 'pwned' }, /climbs out/],
    ['an absolute path', { name: '/tmp/berth-evil', body: 'pwned' }, /absolute path/],
    ['a symbolic link', { name: 'blobs/sha256/link', type: 'SymbolicLink', linkpath: '/etc/passwd' }, /symbolic link to "\/etc\/passwd", outside the archive/],
    ['a symbolic link climbing out', { name: 'layer/layer.tar', type: 'SymbolicLink', linkpath: '../../evil' }, /symbolic link to "\.\.\/\.\.\/evil", outside the archive/],
    ['a symbolic link named as a blob', { name: 'blobs/sha256/x', type: 'SymbolicLink', linkpath: '../../index.json' }, /only a classic archive's layers may be links/],
    ['a hard link', { name: 'index.json', type: 'Link', linkpath: '/etc/shadow' }, /hard link/],
    ['a device', { name: 'dev', type: 'CharacterDevice' }, /CharacterDevice/],
  ];
  for (const [what, entry, message] of hostile) {
    it(`refuses an archive with ${what}`, async () => {
      const img = syntheticImage();
      // The hostile entry first, then a valid OCI layout.
      const archive = buildTar([entry]);
      const full = Buffer.concat([archive.subarray(0, archive.length - 1024), ociArchive(img)]);
      await assert.rejects(loadImages(store, images, Readable.from([full])), message);
      assert.equal(existsSync(join(dir, 'evil')), false);
      assert.equal(existsSync(join(dir, 'content', 'evil')), false);
      assert.equal(existsSync('/tmp/berth-evil'), false);
      await assertNothingRecorded();
    });
  }

  it('says a pre-1.10 archive is unsupported', async () => {
    const id = 'b'.repeat(64);
    const archive = buildTar([
      { name: 'repositories', body: JSON.stringify({ busybox: { latest: id } }) },
      { name: `${id}/VERSION`, body: '1.0' },
      { name: `${id}/json`, body: '{}' },
      { name: `${id}/layer.tar`, body: buildTar([]) },
    ]);
    await assert.rejects(loadImages(store, images, Readable.from([archive])), (err: Error) => {
      assert.equal(err.name, 'Unsupported');
      assert.match(err.message, /legacy archive from Docker before 1\.10/);
      return true;
    });
    await assertNothingRecorded();
  });

  it('refuses something that is not an image archive', async () => {
    await assert.rejects(loadImages(store, images, Readable.from([buildTar([{ name: 'readme.txt', body: 'hi' }])])), /not an image archive/);
    await assert.rejects(loadImages(store, images, Readable.from([Buffer.from('definitely not a tar archive, just text '.repeat(20))])), /InvalidArgument|not a valid tar|not an image archive/);
  });
});
