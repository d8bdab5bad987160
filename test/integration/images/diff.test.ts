// Container diffs on both graph drivers, as root: changes made in a container's root filesystem
// exported as a layer tar, applied on top of the same image in a fresh driver root, and the
// result compared with what the container saw.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { sha256Digest } from '../../../src/images/digest.js';
import { chainIds } from '../../../src/images/formats/index.js';
import { openGraphDriver, type GraphDriver, type GraphDriverName } from '../../../src/images/graphdriver/index.js';
import { diffLayer } from '../../../src/images/layers/diff.js';
import { createLayers, makeLayer, removeTestDirectory } from '../../unit/images/graphdriver/layer-builder.js';
import { streamOf } from '../../unit/images/layers/tar-writer.js';

const skip = process.getuid?.() !== 0 && 'needs root (mounts, chown, trusted xattrs)';

const base = makeLayer(
  [
    { name: 'etc/', type: 'dir' },
    { name: 'etc/hostname', content: 'base\n' },
    { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
    { name: 'gone/file', content: 'deleted with its directory' },
    { name: 'gone/sub/x', content: 'deleted too' },
    { name: 'opq/', type: 'dir', mode: 0o755 },
    { name: 'opq/lower-file', content: 'hidden' },
    { name: 'opq/lower-dir/x', content: 'hidden' },
    { name: 'keep/file', content: 'owner and mode change', mode: 0o644 },
    { name: 'untouched/file', content: 'same' },
  ],
  { gzip: true },
);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every path below `root` with its type, mode, owner and content or target. */
function listing(root: string): string[] {
  const lines: string[] = [];
  const inodes = new Map<number, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = dir === '' ? name : `${dir}/${name}`;
      const host = join(root, path);
      const st = lstatSync(host);
      const meta = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
      if (st.isDirectory()) {
        lines.push(`d ${path} ${meta}`);
        walk(path);
      } else if (st.isSymbolicLink()) {
        lines.push(`l ${path} ${meta} -> ${readlinkSync(host)}`);
      } else if (st.isFile()) {
        const first = inodes.get(st.ino);
        if (first === undefined && st.nlink > 1) inodes.set(st.ino, path);
        lines.push(`f ${path} ${meta} ${JSON.stringify(readFileSync(host, 'utf8'))}${first ? ` (link of ${first})` : ''}`);
      } else {
        lines.push(`? ${path} ${meta}`);
      }
    }
  };
  walk('');
  return lines;
}

function tarNames(tar: Buffer): string[] {
  return execFileSync('tar', ['-t'], { input: tar, encoding: 'utf8' }).trim().split('\n').filter(Boolean);
}

for (const driverName of ['overlay', 'vfs'] as GraphDriverName[]) {
  describe(`container diff on ${driverName}`, { skip }, () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'berth-diff-'));
    });
    after(async () => {
      await removeTestDirectory(dir);
    });

    it('exports the changes as a layer that recreates the container view, deterministically', async () => {
      const driver: GraphDriver = await openGraphDriver(join(dir, 'graph'), driverName);
      const [top] = await createLayers(driver, [base]);
      await driver.createContainerLayer('c1', top);
      try {
        const rootfs = await driver.mountContainer('c1');

        const empty = await diffLayer(driver, 'c1', { parent: top! });
        const emptyTar = await readAll(empty.tar);
        assert.equal(empty.entries, 0);
        assert.deepEqual(emptyTar, Buffer.alloc(1024), 'an unchanged container diffs to the end blocks only');
        assert.deepEqual(await empty.done, { diffId: sha256Digest(Buffer.alloc(1024)), size: 1024 });

        writeFileSync(join(rootfs, 'added.txt'), 'new file\n');
        mkdirSync(join(rootfs, 'newdir', 'deep'), { recursive: true });
        writeFileSync(join(rootfs, 'newdir', 'deep', 'f'), 'deep\n');
        writeFileSync(join(rootfs, 'etc', 'hostname'), 'container\n');
        rmSync(join(rootfs, 'etc', 'passwd'));
        rmSync(join(rootfs, 'gone'), { recursive: true });
        rmSync(join(rootfs, 'opq'), { recursive: true });
        mkdirSync(join(rootfs, 'opq'), { mode: 0o750 });
        writeFileSync(join(rootfs, 'opq', 'upper-file'), 'shown\n');
        chmodSync(join(rootfs, 'keep', 'file'), 0o600);
        chownSync(join(rootfs, 'keep', 'file'), 1000, 1001);
        mkdirSync(join(rootfs, 'links'));
        symlinkSync('../etc/hostname', join(rootfs, 'links', 'soft'));
        writeFileSync(join(rootfs, 'links', 'a'), 'linked\n');
        linkSync(join(rootfs, 'links', 'a'), join(rootfs, 'links', 'b'));
        const p = 'x'.repeat(120);
        mkdirSync(join(rootfs, 'long', p), { recursive: true });
        writeFileSync(join(rootfs, 'long', p, `${'y'.repeat(90)}.txt`), 'a long path\n');

        const first = await diffLayer(driver, 'c1', { parent: top! });
        const tar = await readAll(first.tar);
        const { diffId, size } = await first.done;
        assert.equal(diffId, sha256Digest(tar));
        assert.equal(size, tar.length);
        const second = await diffLayer(driver, 'c1', { parent: top! });
        await readAll(second.tar);
        assert.equal((await second.done).diffId, diffId, 'two diffs of the same state are the same bytes');

        const names = tarNames(tar);
        assert.ok(names.includes('etc/.wh.passwd'), names.join(' '));
        assert.ok(names.includes('.wh.gone'), names.join(' '));
        assert.ok(!names.some((n) => n.startsWith('untouched')), 'unchanged paths stay out');
        assert.ok(!names.some((n) => n.startsWith('gone/')), 'a deleted tree is one whiteout');
        if (driverName === 'overlay') {
          assert.ok(names.includes('opq/.wh..wh..opq'), names.join(' '));
          assert.ok(names.indexOf('opq/.wh..wh..opq') === names.indexOf('opq/') + 1, 'the marker follows its directory');
        } else {
          assert.ok(names.includes('opq/.wh.lower-file') && names.includes('opq/.wh.lower-dir'), names.join(' '));
        }
        assert.ok(names.indexOf('newdir/') < names.indexOf('newdir/deep/'), 'parents before children');
        const verbose = execFileSync('tar', ['-tv', '--numeric-owner'], { input: tar, encoding: 'utf8' });
        assert.match(verbose, /^h.* links\/b link to links\/a$/m, 'the hard link pair stays a hard link');

        // Applied on top of the same image elsewhere, the layer gives the container's view.
        const expected = listing(rootfs);
        const other = await openGraphDriver(join(dir, 'graph2'), driverName);
        const [otherTop] = await createLayers(other, [base]);
        const chain = chainIds([base.diffId, diffId]);
        await other.createLayer(chain[1]!, otherTop, streamOf(tar), diffId, diffId);
        await other.createContainerLayer('c2', chain[1]);
        try {
          const view = await other.mountContainer('c2');
          assert.deepEqual(listing(view), expected);
        } finally {
          await other.unmountContainer('c2');
        }
      } finally {
        await driver.unmountContainer('c1');
      }
      assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(dir), false);
    });
  });
}
