// Both graph drivers on a real filesystem, as root: the union an image's layers make, read back
// from a container's root filesystem; all-or-nothing layer creation; a container's writes kept
// out of the image layers; and (overlay) a deep image that only mounts with the short links.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainIds } from '../../../src/images/formats/index.js';
import { openGraphDriver, type GraphDriver, type GraphDriverName } from '../../../src/images/graphdriver/index.js';
import { createLayers, makeLayer, removeTestDirectory, type TestLayer } from '../../unit/images/graphdriver/layer-builder.js';
import { streamOf } from '../../unit/images/layers/tar-writer.js';

const skip = process.getuid?.() !== 0 && 'needs root (mount, mknod, trusted xattrs)';
const driverNames: GraphDriverName[] = ['overlay', 'vfs'];

const base = makeLayer(
  [
    { name: 'etc/', type: 'dir' },
    { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
    { name: 'etc/hostname', content: 'base\n' },
    { name: 'etc/alias', type: 'symlink', linkname: 'hostname' },
    { name: 'gone/file', content: 'deleted with its directory' },
    { name: 'replaced/inner', content: 'under a directory that becomes a file' },
    { name: 'opq/', type: 'dir' },
    { name: 'opq/lower-file', content: 'hidden' },
    { name: 'opq/lower-dir/x', content: 'hidden' },
    { name: 'data/original', content: 'shared content' },
  ],
  { gzip: true },
);

const upper = makeLayer([
  { name: 'etc/', type: 'dir' },
  { name: 'etc/.wh.passwd' },
  { name: '.wh.gone' },
  { name: 'replaced', content: 'now a file' },
  { name: 'opq/', type: 'dir' },
  { name: 'opq/.wh..wh..opq' },
  { name: 'opq/upper-file', content: 'shown' },
  // A hard link made over a lower layer's file: the layer carries the file again (its link
  // count changed), then the link, as Docker's and BuildKit's diffs do.
  { name: 'data/original', content: 'shared content' },
  { name: 'links/hard', type: 'hardlink', linkname: 'data/original' },
  { name: 'links/soft', type: 'symlink', linkname: '../data/original' },
]);

/** What the driver's home holds besides layers: scratch would show up here. */
function scratchLeft(driver: GraphDriver): string[] {
  return readdirSync(driver.home).filter((name) => name.startsWith('tmp-'));
}

function linkCount(driver: GraphDriver): number {
  return driver.name === 'overlay' ? readdirSync(join(driver.home, 'l')).length : 0;
}

for (const driverName of driverNames) {
  describe(`${driverName} graph driver`, { skip }, () => {
    let dir = '';
    let driver: GraphDriver;
    let containers = 0;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'berth-graphdriver-'));
      driver = await openGraphDriver(join(dir, 'root'), driverName);
    });
    after(() => removeTestDirectory(dir));

    /** A container on `top`, mounted for `use`, then unmounted and removed whatever happens. */
    async function withContainer(top: string, use: (rootfs: string, id: string) => Promise<void>): Promise<void> {
      const id = `c${++containers}`;
      await driver.createContainerLayer(id, top);
      try {
        await use(await driver.mountContainer(id), id);
      } finally {
        await driver.unmountContainer(id);
        await driver.removeContainerLayer(id);
      }
    }

    it('stacks layers as the image says: whiteouts, a directory become a file, opaque directories, links', async () => {
      const [baseId, topId] = await createLayers(driver, [base, upper]);
      assert.ok(await driver.hasLayer(baseId!));
      assert.ok(await driver.hasLayer(topId!));

      await withContainer(topId!, async (rootfs) => {
        assert.deepEqual(readdirSync(rootfs).sort(), ['data', 'etc', 'links', 'opq', 'replaced']);
        assert.deepEqual(readdirSync(join(rootfs, 'etc')).sort(), ['alias', 'hostname'], 'etc/passwd whited out');
        assert.equal(existsSync(join(rootfs, 'gone')), false, 'a whited-out directory goes with its content');
        assert.ok(statSync(join(rootfs, 'replaced')).isFile());
        assert.equal(readFileSync(join(rootfs, 'replaced'), 'utf8'), 'now a file');
        assert.deepEqual(readdirSync(join(rootfs, 'opq')), ['upper-file'], 'opaque: only the upper layer shows');
        assert.equal(readFileSync(join(rootfs, 'opq', 'upper-file'), 'utf8'), 'shown');

        const original = statSync(join(rootfs, 'data', 'original'));
        const hard = statSync(join(rootfs, 'links', 'hard'));
        assert.equal(readFileSync(join(rootfs, 'links', 'hard'), 'utf8'), 'shared content');
        assert.equal(hard.ino, original.ino, 'one inode, two names');
        assert.equal(hard.nlink, 2);

        assert.equal(readlinkSync(join(rootfs, 'etc', 'alias')), 'hostname');
        assert.equal(readFileSync(join(rootfs, 'etc', 'alias'), 'utf8'), 'base\n', 'a symlink from a lower layer resolves');
        assert.ok(lstatSync(join(rootfs, 'links', 'soft')).isSymbolicLink());
        assert.equal(readFileSync(join(rootfs, 'links', 'soft'), 'utf8'), 'shared content');
      });

      const paths = await driver.diffPaths(topId!);
      if (driverName === 'overlay') {
        assert.deepEqual(paths, [join(driver.home, topId!.slice(7), 'diff'), join(driver.home, baseId!.slice(7), 'diff')]);
        // The base layer keeps what the upper one deleted: layers never change.
        assert.ok(existsSync(join(paths[1]!, 'etc', 'passwd')));
      } else {
        assert.deepEqual(paths, [join(driver.home, 'dir', topId!.slice(7))]);
        assert.ok(existsSync(join(driver.home, 'dir', baseId!.slice(7), 'etc', 'passwd')));
      }
      assert.deepEqual(scratchLeft(driver), []);
    });

    it('refuses a layer whose content does not match its diff ID, leaving nothing under its ID', async () => {
      const liar = makeLayer([{ name: 'evil', content: 'not what the config says' }], { gzip: true });
      const claimed = base.diffId;
      const [chainId] = chainIds([claimed]).map((id) => id.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
      const linksBefore = linkCount(driver);
      await assert.rejects(driver.createLayer(chainId!, undefined, streamOf(liar.blob), claimed, liar.digest), {
        name: 'InvalidArgument',
        message: `layer ${liar.digest}: content does not match diff ID ${claimed} from the image config (got ${liar.diffId})`,
      });
      assert.equal(await driver.hasLayer(chainId!), false);
      const under = driverName === 'overlay' ? join(driver.home, chainId!.slice(7)) : join(driver.home, 'dir', chainId!.slice(7));
      assert.equal(existsSync(under), false);
      assert.deepEqual(scratchLeft(driver), []);
      assert.equal(linkCount(driver), linksBefore);
    });

    it('leaves no layer and no scratch when applying fails half way (a hostile tar)', async () => {
      const hostile = makeLayer([
        { name: 'fine/file', content: 'written before the failure' },
        { name: '../../../escape', content: 'must never be written' },
      ]);
      const [chainId] = chainIds([hostile.diffId]);
      const linksBefore = linkCount(driver);
      await assert.rejects(driver.createLayer(chainId!, undefined, streamOf(hostile.blob), hostile.diffId, hostile.digest), {
        name: 'InvalidArgument',
      });
      assert.equal(await driver.hasLayer(chainId!), false);
      assert.deepEqual(scratchLeft(driver), []);
      assert.equal(linkCount(driver), linksBefore);
      assert.equal(existsSync(join(dir, 'escape')), false);
    });

    it('refuses a layer on a missing parent, and a layer twice', async () => {
      const lone = makeLayer([{ name: 'x', content: 'x' }]);
      const missing = `sha256:${'e'.repeat(64)}`;
      const [, chainId] = chainIds([missing, lone.diffId]);
      await assert.rejects(driver.createLayer(chainId!, missing, streamOf(lone.blob), lone.diffId, lone.digest), { name: 'NotFound' });
      const [baseId] = chainIds([base.diffId]);
      await assert.rejects(driver.createLayer(baseId!, undefined, streamOf(base.blob), base.diffId, base.digest), { name: 'Conflict' });
      assert.deepEqual(scratchLeft(driver), []);
    });

    it("keeps a container's writes in its own layer", async () => {
      const [baseId, topId] = chainIds([base.diffId, upper.diffId]);
      const imageFiles = async () =>
        Promise.all((await driver.diffPaths(topId!)).map((p) => readFile(join(p, 'etc', 'hostname'), 'utf8').catch(() => 'absent')));
      const before = await imageFiles();

      await withContainer(topId!, async (rootfs, id) => {
        writeFileSync(join(rootfs, 'new-file'), 'written in the container');
        writeFileSync(join(rootfs, 'etc', 'hostname'), 'changed\n');
        assert.equal(readFileSync(join(rootfs, 'etc', 'hostname'), 'utf8'), 'changed\n');

        for (const layer of await driver.diffPaths(topId!)) assert.equal(existsSync(join(layer, 'new-file')), false);
        assert.deepEqual(await imageFiles(), before);
        assert.equal(readFileSync(join((await driver.diffPaths(baseId!))[0]!, 'etc', 'hostname'), 'utf8'), 'base\n');

        const data = await driver.graphDriverData(id);
        if (driverName === 'overlay') {
          const upperDir = (data as { UpperDir: string }).UpperDir;
          assert.deepEqual(data, {
            LowerDir: (await driver.diffPaths(topId!)).join(':'),
            UpperDir: join(driver.home, `${id}-rw`, 'diff'),
            MergedDir: rootfs,
            WorkDir: join(driver.home, `${id}-rw`, 'work'),
          });
          assert.deepEqual(readdirSync(upperDir).sort(), ['etc', 'new-file']);
          assert.equal(readFileSync(join(upperDir, 'etc', 'hostname'), 'utf8'), 'changed\n');
        } else {
          assert.deepEqual(data, {});
          assert.equal(rootfs, join(driver.home, 'dir', `${id}-rw`));
        }
      });
    });

    it('lets two concurrent unpacks of one layer both succeed, keeping one copy', async () => {
      const shared = makeLayer([{ name: 'shared', content: 'once' }], { gzip: true });
      const [chainId] = chainIds([shared.diffId]);
      const linksBefore = linkCount(driver);
      const create = () => driver.createLayer(chainId!, undefined, streamOf(shared.blob), shared.diffId, shared.digest);
      const results = await Promise.all([create(), create()]);
      assert.equal(results[0]!.size, results[1]!.size);
      assert.ok(results[0]!.size > shared.blob.length, 'the uncompressed size');
      assert.ok(await driver.hasLayer(chainId!));
      assert.deepEqual(scratchLeft(driver), []);
      if (driverName === 'overlay') assert.equal(linkCount(driver), linksBefore + 1, 'the loser removed its short link');
      await driver.removeLayer(chainId!);
    });

    it('removes layers and containers completely', async () => {
      const [baseId, topId] = chainIds([base.diffId, upper.diffId]);
      await driver.createContainerLayer('doomed', topId!);
      await driver.mountContainer('doomed');
      await driver.removeContainerLayer('doomed'); // mounted: unmounted first
      await assert.rejects(driver.mountContainer('doomed'), { name: 'NotFound' });
      await driver.removeLayer(topId!);
      await driver.removeLayer(baseId!);
      await driver.removeLayer(baseId!); // idempotent
      assert.equal(await driver.hasLayer(baseId!), false);
      const left = readdirSync(driver.home).sort();
      assert.deepEqual(left, driverName === 'overlay' ? ['l'] : ['dir']);
      if (driverName === 'overlay') assert.deepEqual(readdirSync(join(driver.home, 'l')), []);
      else assert.deepEqual(readdirSync(join(driver.home, 'dir')), []);
    });

    it('removes the scratch a crash left when it starts again', async () => {
      const crashed = join(driver.home, 'tmp-0123456789abcdef');
      await import('node:fs/promises').then((fs) => fs.mkdir(join(crashed, 'diff'), { recursive: true }));
      driver = await openGraphDriver(join(dir, 'root'), driverName);
      assert.equal(existsSync(crashed), false);
    });
  });
}

describe('overlay graph driver on overlayfs', { skip }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-graphdriver-nested-'));
  });
  after(() => removeTestDirectory(dir));

  it('refuses to start with a clear message, where vfs works', async () => {
    const [lower, upperDir, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => join(dir, d));
    for (const d of [lower, upperDir, work, merged]) mkdirSync(d);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upperDir},workdir=${work}`, merged]);
    try {
      await assert.rejects(openGraphDriver(join(merged, 'root'), 'overlay'), {
        name: 'Unsupported',
        message: /is itself on overlayfs.*BERTH_STORAGE_DRIVER=vfs/,
      });
      const vfs = await openGraphDriver(join(merged, 'root'), 'vfs');
      assert.equal(vfs.name, 'vfs');
    } finally {
      execFileSync('umount', [merged]);
    }
  });
});

describe('overlay graph driver, deep images', { skip }, () => {
  let dir = '';
  let driver: GraphDriver;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-graphdriver-deep-'));
    driver = await openGraphDriver(join(dir, 'root'), 'overlay');
  });
  after(() => removeTestDirectory(dir));

  it('mounts 60 layers through the short links when absolute paths overflow a page', async () => {
    const layers: TestLayer[] = Array.from({ length: 60 }, (_, i) =>
      makeLayer([{ name: `layers/${i}`, content: `layer ${i}` }, ...(i === 0 ? [{ name: 'bottom', content: 'first' }] : [])], {
        gzip: i % 2 === 0,
      }),
    );
    layers.push(makeLayer([{ name: 'top', content: 'last' }]));
    const chain = await createLayers(driver, layers);
    const top = chain[chain.length - 1]!;

    await driver.createContainerLayer('deep', top);
    try {
      const rootfs = await driver.mountContainer('deep');
      const data = (await driver.graphDriverData('deep')) as { LowerDir: string };
      assert.equal(data.LowerDir.split(':').length, 61);
      assert.ok(data.LowerDir.length > 4096, 'absolute lower paths alone overflow a page');
      assert.equal(readFileSync(join(rootfs, 'bottom'), 'utf8'), 'first');
      assert.equal(readFileSync(join(rootfs, 'top'), 'utf8'), 'last');
      assert.equal(readdirSync(join(rootfs, 'layers')).length, 60);
      assert.equal(readFileSync(join(rootfs, 'layers', '59'), 'utf8'), 'layer 59');
      // The kernel shows the options as given: the short links, relative to the driver's home.
      const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.includes(` ${rootfs} `));
      assert.match(mountinfo ?? '', /lowerdir=l\/[A-Z2-7]{26}:l\//);
      assert.equal(await driver.mountContainer('deep'), rootfs, 'mounting again is a no-op');
    } finally {
      await driver.removeContainerLayer('deep');
    }
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(dir), false);
  });
});
