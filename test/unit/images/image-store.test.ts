import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conflict, Internal, InvalidArgument, NotFound } from '../../../src/errors.js';
import { sha256Digest } from '../../../src/images/digest.js';
import { MediaType } from '../../../src/images/formats/media-types.js';
import { ImageStore, type ContainerUse, type NewImage } from '../../../src/images/image-store.js';

/** An image as a pull returns it; ids are chosen by the test so that prefixes can collide. */
function image(idHex: string, options: { created?: string; digest?: string; architecture?: string } = {}): NewImage {
  const layer = sha256Digest(`layer of ${idHex}`);
  const manifestDigest = sha256Digest(`manifest of ${idHex}`);
  const config = { architecture: options.architecture ?? 'amd64', os: 'linux', rootfs: { type: 'layers' as const, diff_ids: [layer] }, ...(options.created && { created: options.created }) };
  return {
    configDigest: `sha256:${idHex.padEnd(64, '0')}`,
    manifestDigest,
    digest: options.digest ?? manifestDigest,
    manifest: {
      kind: 'manifest', mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: `sha256:${idHex.padEnd(64, '0')}`, size: 100 },
      layers: [{ mediaType: MediaType.ociLayerGzip, digest: layer, size: 1234 }],
    },
    config,
  };
}

const idOf = (hex: string) => `sha256:${hex.padEnd(64, '0')}`;
const stopped = (containerId: string): ContainerUse => ({ containerId, running: false });
const running = (containerId: string): ContainerUse => ({ containerId, running: true });
const containerId = 'c0ffee'.padEnd(64, '1');

describe('image store', () => {
  let root: string;
  let store: ImageStore;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'berth-image-store-'));
    store = await ImageStore.open(join(root, 'images'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('add', () => {
    it('records the image by config digest with its tag and repository digest, durably on disk', async () => {
      const index = sha256Digest('an index');
      const record = await store.add(image('aaaa', { created: '2024-01-02T03:04:05Z', digest: index, architecture: 'arm64' }), 'busybox');
      assert.equal(record.id, idOf('aaaa'));
      assert.deepEqual(record.repoTags, ['busybox:latest']);
      assert.deepEqual(record.repoDigests, [`busybox@${index}`]);
      assert.equal(record.indexDigest, index);
      assert.equal(record.manifestDigest, sha256Digest('manifest of aaaa'));
      assert.equal(record.created, '2024-01-02T03:04:05Z');
      assert.equal(record.size, 1234);
      assert.deepEqual(record.platform, { os: 'linux', architecture: 'arm64' });

      const reopened = await ImageStore.open(join(root, 'images'));
      assert.deepEqual(reopened.resolve('busybox'), record);
      assert.deepEqual(readdirSync(join(root, 'images')), ['images.json'], 'no temporary file is left');
      assert.equal((JSON.parse(readFileSync(join(root, 'images', 'images.json'), 'utf8')) as { version: number }).version, 1);
    });

    it('names registry images in their familiar form, and gives no tag for a digest reference', async () => {
      const manifestOnly = image('bbbb');
      const record = await store.add(manifestOnly, 'localhost:5000/team/app@' + manifestOnly.manifestDigest);
      assert.deepEqual(record.repoTags, []);
      assert.deepEqual(record.repoDigests, [`localhost:5000/team/app@${manifestOnly.manifestDigest}`]);
      assert.equal(record.indexDigest, undefined);
      const tagged = await store.add(image('cccc'), 'docker.io/library/alpine:3.19');
      assert.deepEqual(tagged.repoTags, ['alpine:3.19']);
    });

    it('moves a tag from an older image, which keeps its other tags or is left dangling', async () => {
      await store.add(image('aaaa'), 'busybox:latest');
      await store.tag('busybox:latest', 'busybox:old');
      await store.add(image('bbbb'), 'app:1');
      await store.add(image('cccc'), 'busybox:latest');
      assert.deepEqual(store.resolve(idOf('aaaa')).repoTags, ['busybox:old']);
      await store.add(image('dddd'), 'app:1');
      const old = store.resolve(idOf('bbbb'));
      assert.deepEqual(old.repoTags, [], 'dangling');
      assert.equal(old.repoDigests.length, 1, 'Docker keeps the repository digest of a dangling image');
      assert.deepEqual(store.list({ dangling: true }).map((i) => i.id), [idOf('bbbb')]);
    });

    it('merges the names when the same image is added again', async () => {
      await store.add(image('aaaa'), 'busybox:1');
      const again = await store.add(image('aaaa'), 'busybox:2');
      assert.deepEqual(again.repoTags, ['busybox:1', 'busybox:2']);
      assert.equal(store.list().length, 1);
    });
  });

  describe('tag', () => {
    it('tags by name, id or id prefix, with latest as the default tag', async () => {
      await store.add(image('abcdef'), 'busybox');
      await store.tag('busybox', 'mine');
      await store.tag(idOf('abcdef'), 'localhost:5000/mine:v1');
      await store.tag('abcd', 'docker.io/library/other:x');
      assert.deepEqual(store.resolve('busybox').repoTags, ['busybox:latest', 'mine:latest', 'localhost:5000/mine:v1', 'other:x']);
    });

    it('refuses a digest target and an unknown source', async () => {
      await store.add(image('aaaa'), 'busybox');
      await assert.rejects(store.tag('busybox', `x@${sha256Digest('x')}`), (err) => err instanceof InvalidArgument && /refusing to create a tag with a digest reference/.test(err.message));
      await assert.rejects(store.tag('nope', 'x'), (err) => err instanceof NotFound && err.message === 'No such image: nope');
    });
  });

  describe('resolve', () => {
    beforeEach(async () => {
      await store.add(image('abcd1'), 'busybox:latest');
      await store.add(image('abcd2'), 'localhost:5000/team/app:1.0');
      await store.add(image('ef01'), 'alpine:3');
    });

    it('finds images by familiar and canonical names, with the default tag', () => {
      for (const name of ['busybox', 'busybox:latest', 'library/busybox', 'docker.io/library/busybox', 'docker.io/library/busybox:latest', 'index.docker.io/library/busybox']) {
        assert.equal(store.resolve(name).id, idOf('abcd1'), name);
      }
      assert.equal(store.resolve('localhost:5000/team/app:1.0').id, idOf('abcd2'));
      assert.throws(() => store.resolve('alpine'), (err) => err instanceof NotFound && err.message === 'No such image: alpine');
    });

    it('finds images by full id, bare hex id, unambiguous prefix of at least 4 digits, and repository digest', () => {
      assert.equal(store.resolve(idOf('ef01')).id, idOf('ef01'));
      assert.equal(store.resolve('ef01'.padEnd(64, '0')).id, idOf('ef01'));
      assert.equal(store.resolve('ef01').id, idOf('ef01'));
      assert.equal(store.resolve('sha256:ef01').id, idOf('ef01'));
      assert.equal(store.resolve('abcd2').id, idOf('abcd2'));
      assert.throws(() => store.resolve('ef0'), /^NotFound: No such image: ef0$/, 'too short a prefix');
      assert.throws(() => store.resolve('abcd'), (err) => err instanceof NotFound && /No such image: abcd \(the id prefix is ambiguous: it matches 2 images\)/.test(err.message));
      const digest = store.resolve('alpine:3').repoDigests[0]!;
      assert.equal(store.resolve(digest).id, idOf('ef01'));
      assert.equal(store.resolve(`docker.io/library/${digest}`).id, idOf('ef01'));
    });

    it('says "No such image" for what is not there', () => {
      assert.throws(() => store.resolve('nope:1'), (err) => err instanceof NotFound && err.message === 'No such image: nope:1');
      assert.throws(() => store.resolve(idOf('9999')), (err) => err instanceof NotFound && err.message === `No such image: ${idOf('9999')}`);
      assert.throws(() => store.resolve(`busybox@${sha256Digest('other')}`), /No such image: busybox@sha256:/);
      assert.equal(store.find('nope'), undefined);
    });
  });

  describe('list', () => {
    it('lists newest first, filters dangling images and references by glob, showing only the names that match', async () => {
      await store.add(image('aaaa', { created: '2024-01-01T00:00:00Z' }), 'busybox:1.36');
      await store.tag('busybox:1.36', 'app:dev');
      await store.add(image('bbbb', { created: '2024-03-01T00:00:00Z' }), 'busybox:musl');
      await store.add(image('cccc', { created: '2024-02-01T00:00:00Z' }), 'localhost:5000/team/busybox:1');
      await store.add(image('dddd', { created: '2023-01-01T00:00:00Z' }));
      assert.deepEqual(store.list().map((i) => i.id), ['bbbb', 'cccc', 'aaaa', 'dddd'].map(idOf));
      assert.deepEqual(store.list({ dangling: true }).map((i) => i.id), [idOf('dddd')]);
      assert.deepEqual(store.list({ dangling: false }).map((i) => i.id), ['bbbb', 'cccc', 'aaaa'].map(idOf));

      const busyboxes = store.list({ reference: 'busybox' });
      assert.deepEqual(busyboxes.map((i) => i.repoTags), [['busybox:musl'], ['busybox:1.36']]);
      assert.deepEqual(store.list({ reference: 'busybox:1.*' }).map((i) => i.repoTags), [['busybox:1.36']]);
      assert.deepEqual(store.list({ reference: '*/*/busybox' }).map((i) => i.repoTags), [['localhost:5000/team/busybox:1']]);
      assert.deepEqual(store.list({ reference: ['app', 'busybox:m?sl'] }).map((i) => i.repoTags), [['busybox:musl'], ['app:dev']]);
      assert.deepEqual(store.list({ reference: 'b*' }).map((i) => i.id), ['bbbb', 'aaaa'].map(idOf), '"*" does not cross "/"');
    });
  });

  describe('remove', () => {
    it('only untags when removing by name an image that has other tags', async () => {
      await store.add(image('aaaa'), 'busybox:latest');
      await store.tag('busybox', 'mine:1');
      assert.deepEqual(await store.remove('busybox'), [{ Untagged: 'busybox:latest' }, { Untagged: `busybox@${sha256Digest('manifest of aaaa')}` }]);
      assert.deepEqual(store.resolve(idOf('aaaa')).repoTags, ['mine:1']);
      assert.deepEqual(store.resolve(idOf('aaaa')).repoDigests, [], "the repository's digest went with its last tag");
    });

    it('keeps the digest of a repository that still has a tag', async () => {
      await store.add(image('aaaa'), 'busybox:latest');
      await store.tag('busybox', 'busybox:other');
      assert.deepEqual(await store.remove('docker.io/library/busybox:latest'), [{ Untagged: 'busybox:latest' }]);
      assert.equal(store.resolve('busybox:other').repoDigests.length, 1);
    });

    it('deletes the image with its last name', async () => {
      await store.add(image('aaaa'), 'busybox');
      const digestName = `busybox@${sha256Digest('manifest of aaaa')}`;
      assert.deepEqual(await store.remove('busybox'), [{ Untagged: 'busybox:latest' }, { Untagged: digestName }, { Deleted: idOf('aaaa') }]);
      assert.equal(store.find(idOf('aaaa')), undefined);
      assert.deepEqual((await ImageStore.open(join(root, 'images'))).list(), []);
    });

    it('removes by repository digest', async () => {
      await store.add(image('aaaa'), 'busybox');
      const digestName = `busybox@${sha256Digest('manifest of aaaa')}`;
      assert.deepEqual(await store.remove(digestName), [{ Untagged: digestName }]);
      assert.deepEqual(store.resolve('busybox').repoDigests, []);
    });

    it('needs force to remove by id an image referenced in several repositories or tags', async () => {
      await store.add(image('0123456789abcdef'), 'busybox');
      await store.tag('busybox', 'mine');
      await assert.rejects(store.remove('0123456789ab'), (err) => err instanceof Conflict &&
        err.message === 'conflict: unable to delete 0123456789ab (must be forced) - image is referenced in multiple repositories');
      assert.deepEqual(await store.remove('0123456789ab', { force: true }), [
        { Untagged: 'busybox:latest' }, { Untagged: 'mine:latest' },
        { Untagged: `busybox@${sha256Digest('manifest of 0123456789abcdef')}` }, { Deleted: idOf('0123456789abcdef') },
      ]);
    });

    it('removes by id an image with one tag and digests of that repository, untagging them', async () => {
      await store.add(image('aaaa'), 'busybox');
      assert.deepEqual(await store.remove(idOf('aaaa')), [
        { Untagged: 'busybox:latest' }, { Untagged: `busybox@${sha256Digest('manifest of aaaa')}` }, { Deleted: idOf('aaaa') },
      ]);
    });

    it('removes a dangling image by id', async () => {
      await store.add(image('aaaa'));
      assert.deepEqual(await store.remove('aaaa'), [{ Deleted: idOf('aaaa') }]);
    });

    it('refuses to remove a name of an image a container uses, unless forced', async () => {
      await store.add(image('0123456789abcdef'), 'busybox');
      await assert.rejects(store.remove('busybox', { inUse: () => stopped(containerId) }), (err) => err instanceof Conflict &&
        err.message === `conflict: unable to remove repository reference "busybox" (must force) - container c0ffee111111 is using its referenced image 0123456789ab`);
      assert.equal(store.resolve('busybox').id, idOf('0123456789abcdef'), 'nothing changed');
    });

    it('untags without force one of several names of an image a container uses, as Docker does', async () => {
      await store.add(image('aaaa'), 'busybox');
      await store.tag('busybox', 'other:1');
      assert.deepEqual(await store.remove('other:1', { inUse: () => stopped(containerId) }), [{ Untagged: 'other:1' }]);
      await assert.rejects(store.remove('busybox', { inUse: () => stopped(containerId) }), Conflict, 'the last name is refused');
      assert.deepEqual(store.resolve('busybox').repoTags, ['busybox:latest']);
    });

    it('forced, untags an image a running container uses but keeps it, dangling', async () => {
      await store.add(image('aaaa'), 'busybox');
      const records = await store.remove('busybox', { force: true, inUse: () => running(containerId) });
      assert.deepEqual(records.map((r) => Object.keys(r)[0]), ['Untagged', 'Untagged']);
      assert.deepEqual(store.list({ dangling: true }).map((i) => i.id), [idOf('aaaa')]);
    });

    it('forced, deletes an image only a stopped container uses', async () => {
      await store.add(image('aaaa'), 'busybox');
      const records = await store.remove('busybox', { force: true, inUse: () => stopped(containerId) });
      assert.deepEqual(records.at(-1), { Deleted: idOf('aaaa') });
    });

    it('never removes by id an image a running container uses, and needs force for a stopped one', async () => {
      await store.add(image('0123456789abcdef'), 'busybox');
      for (const force of [false, true]) {
        await assert.rejects(store.remove(idOf('0123456789abcdef'), { force, inUse: () => running(containerId) }), (err) => err instanceof Conflict &&
          err.message === 'conflict: unable to delete 0123456789ab (cannot be forced) - image is being used by running container c0ffee111111');
      }
      await assert.rejects(store.remove('0123', { inUse: () => stopped(containerId) }), (err) => err instanceof Conflict &&
        err.message === 'conflict: unable to delete 0123456789ab (must be forced) - image is being used by stopped container c0ffee111111');
      assert.equal(store.resolve('busybox').repoTags.length, 1, 'a refused removal untags nothing');
      assert.deepEqual((await store.remove('0123', { force: true, inUse: () => stopped(containerId) })).at(-1), { Deleted: idOf('0123456789abcdef') });
    });

    it('says "No such image" for an unknown image', async () => {
      await assert.rejects(store.remove('nope'), (err) => err instanceof NotFound && err.message === 'No such image: nope');
    });
  });

  it('lists every blob the images reference, for garbage collection', async () => {
    const index = sha256Digest('an index');
    await store.add(image('aaaa', { digest: index }), 'busybox');
    await store.add(image('bbbb'), 'alpine');
    assert.deepEqual([...store.referencedBlobs()].sort(), [
      idOf('aaaa'), idOf('bbbb'), index,
      sha256Digest('layer of aaaa'), sha256Digest('layer of bbbb'),
      sha256Digest('manifest of aaaa'), sha256Digest('manifest of bbbb'),
    ].sort());
  });

  it('serialises concurrent changes, losing none', async () => {
    await store.add(image('aaaa'), 'busybox');
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.tag('busybox', `t:${i}`)));
    const reopened = await ImageStore.open(join(root, 'images'));
    assert.equal(reopened.resolve('busybox').repoTags.length, 11);
  });

  it('keeps its state when a write fails, and refuses a corrupt file', async () => {
    await store.add(image('aaaa'), 'busybox');
    const file = join(root, 'images', 'images.json');
    rmSync(file);
    mkdirSync(file); // the rename onto it fails
    await assert.rejects(store.tag('busybox', 'other'));
    assert.deepEqual(store.resolve('busybox').repoTags, ['busybox:latest']);
    rmSync(file, { recursive: true });
    await store.tag('busybox', 'other');
    assert.deepEqual(store.resolve('busybox').repoTags, ['busybox:latest', 'other:latest']);

    writeFileSync(file, '{"images": 3');
    await assert.rejects(ImageStore.open(join(root, 'images')), (err) => err instanceof Internal && /images\.json is not a valid image list/.test(err.message));
  });
});
