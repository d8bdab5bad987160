// applyLayer on a real filesystem, as root: every kind of entry with its owner, mode and
// times, and hostile archives that try to write outside the target directory.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { applyLayer, type ApplyLayerOptions } from '../../../src/images/layers/apply.js';
import { gzipArchive, streamOf, tarArchive, type TarSpec } from '../../unit/images/layers/tar-writer.js';

const skip = process.getuid?.() !== 0 && 'needs root (chown, mknod)';
const hasZstd = 'createZstdDecompress' in zlib;

describe('applyLayer', { skip }, () => {
  let dir: string;
  let count = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-layer-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh target inside a "sentinel" parent that nothing may touch. */
  function freshTarget(): { sentinel: string; target: string } {
    const sentinel = join(dir, `case-${++count}`);
    const target = join(sentinel, 'target');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(sentinel, 'sentinel'), 'untouched');
    return { sentinel, target };
  }

  function assertSentinelUntouched(sentinel: string): void {
    assert.deepEqual(readdirSync(sentinel).sort(), ['sentinel', 'target']);
    assert.equal(readFileSync(join(sentinel, 'sentinel'), 'utf8'), 'untouched');
  }

  const apply = (specs: TarSpec[], target: string, options: Partial<ApplyLayerOptions> = {}) =>
    applyLayer(streamOf(tarArchive(specs)), target, { whiteouts: 'apply', digest: 'sha256:abc', ...options });

  const everyKind: TarSpec[] = [
    { name: './', type: 'dir' },
    { name: 'dir/', type: 'dir', mode: 0o750, uid: 1000, gid: 1000, mtime: 1_500_000_000 },
    { name: 'dir/file', content: 'hello', mode: 0o640, uid: 1000, gid: 1001, mtime: 1_600_000_000 },
    { name: 'dir/setuid', content: '#!/bin/sh\n', mode: 0o4755, uid: 1000, gid: 1000 },
    { name: 'absolute-link', type: 'symlink', linkname: '/etc/passwd' },
    { name: 'relative-link', type: 'symlink', linkname: '../../outside' },
    { name: 'hard', type: 'hardlink', linkname: 'dir/file' },
    { name: 'null', type: 'char', devMajor: 1, devMinor: 3, mode: 0o666 },
    { name: 'pipe', type: 'fifo', mode: 0o620 },
    { name: 'deep/er/file', content: 'parents made as needed' },
    { name: `${'long-'.repeat(30)}/name`, content: 'pax path' },
  ];

  function checkEveryKind(target: string): void {
    const dirStats = statSync(join(target, 'dir'));
    assert.ok(dirStats.isDirectory());
    assert.deepEqual([dirStats.mode & 0o7777, dirStats.uid, dirStats.gid], [0o750, 1000, 1000]);
    assert.equal(dirStats.mtimeMs, 1_500_000_000_000, 'directory times are set after their contents');

    const file = statSync(join(target, 'dir', 'file'));
    assert.equal(readFileSync(join(target, 'dir', 'file'), 'utf8'), 'hello');
    assert.deepEqual([file.mode & 0o7777, file.uid, file.gid, file.mtimeMs], [0o640, 1000, 1001, 1_600_000_000_000]);
    assert.equal(statSync(join(target, 'dir', 'setuid')).mode & 0o7777, 0o4755, 'setuid survives the chown');

    assert.equal(readlinkSync(join(target, 'absolute-link')), '/etc/passwd', 'symlink targets are data, stored verbatim');
    assert.equal(readlinkSync(join(target, 'relative-link')), '../../outside');
    assert.equal(lstatSync(join(target, 'absolute-link')).mtimeMs, 1_700_000_000_000);

    const hard = statSync(join(target, 'hard'));
    assert.equal(hard.ino, file.ino);
    assert.equal(hard.nlink, 2);

    const nul = lstatSync(join(target, 'null'));
    assert.ok(nul.isCharacterDevice());
    assert.equal(nul.rdev, (1 << 8) | 3);
    assert.equal(nul.mode & 0o7777, 0o666);
    const pipe = lstatSync(join(target, 'pipe'));
    assert.ok(pipe.isFIFO());
    assert.equal(pipe.mode & 0o7777, 0o620);

    assert.equal(readFileSync(join(target, 'deep', 'er', 'file'), 'utf8'), 'parents made as needed');
    assert.equal(statSync(join(target, 'deep')).mode & 0o7777, 0o755);
    assert.equal(readFileSync(join(target, 'long-'.repeat(30), 'name'), 'utf8'), 'pax path');
  }

  it('extracts a plain layer: files, directories, links, devices, fifos, owners, modes, times', async () => {
    const { sentinel, target } = freshTarget();
    const archive = tarArchive(everyKind);
    const result = await applyLayer(streamOf(archive), target, { whiteouts: 'apply' });
    assert.equal(result.size, archive.length);
    assert.deepEqual(result.warnings, []);
    checkEveryKind(target);
    assertSentinelUntouched(sentinel);
  });

  it('extracts a gzip-compressed layer and reports the uncompressed size', async () => {
    const { target } = freshTarget();
    const result = await applyLayer(streamOf(gzipArchive(everyKind)), target, { whiteouts: 'overlay' });
    assert.equal(result.size, tarArchive(everyKind).length);
    checkEveryKind(target);
  });

  it('sets xattrs from pax records', async () => {
    const fileCapability = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, ...new Array<number>(12).fill(0)]);
    const { target } = freshTarget();
    const result = await apply(
      [
        { name: 'f', content: 'x', xattrs: { 'user.berth': 'yes', 'trusted.overlay.redirect': '/etc' } },
        // A real file capability (vfs_cap_data rev 2, effective, all of caps 0-31 permitted):
        // its 0xff bytes are not UTF-8.
        { name: 'binary', content: 'x', xattrs: { 'security.capability': fileCapability } },
      ],
      target,
    );
    assert.deepEqual(result.warnings, ['overlayfs xattrs in the layer ignored (1×, e.g. f trusted.overlay.redirect)']);
    const value = execFileSync('getfattr', ['--only-values', '-n', 'user.berth', join(target, 'f')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(value, 'yes');
    // Binary values (file capabilities) survive: they are read from the pax header's bytes.
    const capability = execFileSync('getfattr', ['--only-values', '-n', 'security.capability', join(target, 'binary')], { stdio: ['ignore', 'pipe', 'pipe'] });
    assert.deepEqual(capability, fileCapability);
    // overlayfs' own xattrs are the graph driver's, never taken from a layer.
    assert.throws(() => execFileSync('getfattr', ['-n', 'trusted.overlay.redirect', join(target, 'f')], { stdio: 'pipe' }));
  });

  it('replaces what is there instead of writing through it', async () => {
    const { sentinel, target } = freshTarget();
    writeFileSync(join(sentinel, 'victim'), 'original');
    symlinkSync(join(sentinel, 'victim'), join(target, 'file'));
    mkdirSync(join(target, 'was-a-dir', 'inside'), { recursive: true });
    mkdirSync(join(target, 'stays-a-dir'));
    writeFileSync(join(target, 'stays-a-dir', 'lower'), 'lower');
    await apply(
      [
        { name: 'file', content: 'new' },
        { name: 'was-a-dir', content: 'now a file' },
        { name: 'stays-a-dir/', type: 'dir', mode: 0o700, uid: 1000 },
      ],
      target,
    );
    assert.equal(readFileSync(join(sentinel, 'victim'), 'utf8'), 'original');
    assert.equal(readFileSync(join(target, 'file'), 'utf8'), 'new');
    assert.ok(lstatSync(join(target, 'file')).isFile());
    assert.equal(readFileSync(join(target, 'was-a-dir'), 'utf8'), 'now a file');
    const kept = statSync(join(target, 'stays-a-dir'));
    assert.deepEqual([kept.mode & 0o7777, kept.uid], [0o700, 1000]);
    assert.equal(readFileSync(join(target, 'stays-a-dir', 'lower'), 'utf8'), 'lower', 'a directory entry updates, not replaces');
    rmSync(join(sentinel, 'victim'));
  });

  describe('hostile archives', () => {
    it('refuses names that climb out with ".."', async () => {
      for (const name of ['../escape', 'a/../../escape', './../../escape']) {
        const { sentinel, target } = freshTarget();
        await assert.rejects(apply([{ name, content: 'evil' }], target), {
          name: 'InvalidArgument',
          message: `layer sha256:abc entry ${name}: path leaves the layer root`,
        });
        assertSentinelUntouched(sentinel);
        assert.equal(existsSync(join(dir, 'escape')), false);
      }
    });

    it('puts absolute names inside the target', async () => {
      const { sentinel, target } = freshTarget();
      await apply([{ name: '/etc/evil', content: 'evil' }], target);
      assert.equal(readFileSync(join(target, 'etc', 'evil'), 'utf8'), 'evil');
      assertSentinelUntouched(sentinel);
      assert.equal(existsSync('/etc/evil'), false);
    });

    it('follows a symlink to "/" within the target: link/evil lands in <target>/evil', async () => {
      const { sentinel, target } = freshTarget();
      await apply(
        [
          { name: 'link', type: 'symlink', linkname: '/' },
          { name: 'link/evil', content: 'evil' },
          { name: 'link/etc/evil', content: 'evil' },
        ],
        target,
      );
      assert.equal(existsSync('/evil'), false);
      assert.equal(existsSync('/etc/evil'), false);
      assert.equal(readFileSync(join(target, 'evil'), 'utf8'), 'evil');
      assert.equal(readFileSync(join(target, 'etc', 'evil'), 'utf8'), 'evil');
      assert.equal(readlinkSync(join(target, 'link')), '/');
      assertSentinelUntouched(sentinel);
    });

    it('stops a symlink climbing with ".." at the target: dir/x lands in <target>/x', async () => {
      const { sentinel, target } = freshTarget();
      await apply(
        [
          { name: 'dir', type: 'symlink', linkname: '../../..' },
          { name: 'dir/x', content: 'x' },
          { name: 'a/b/', type: 'dir' },
          { name: 'a/b/up', type: 'symlink', linkname: '../../../../sentinel-dir' },
          { name: 'a/b/up/y', content: 'y' },
        ],
        target,
      );
      assert.equal(readFileSync(join(target, 'x'), 'utf8'), 'x');
      assert.equal(readFileSync(join(target, 'sentinel-dir', 'y'), 'utf8'), 'y');
      assertSentinelUntouched(sentinel);
    });

    it('does not write through a symlink left by a lower layer', async () => {
      const { sentinel, target } = freshTarget();
      symlinkSync(sentinel, join(target, 'lower-link')); // absolute, to the real parent
      await apply([{ name: 'lower-link/sentinel', content: 'overwritten?' }], target);
      // <target>/<sentinel path>/sentinel: the host path is reinterpreted inside the target.
      assert.equal(readFileSync(join(target, sentinel, 'sentinel'), 'utf8'), 'overwritten?');
      assertSentinelUntouched(sentinel);
    });

    it('refuses hard links that leave the target', async () => {
      const { sentinel, target } = freshTarget();
      await assert.rejects(apply([{ name: 'h', type: 'hardlink', linkname: '../../etc/passwd' }], target), {
        name: 'InvalidArgument',
        message: 'layer sha256:abc entry h: hard link target ../../etc/passwd: path leaves the layer root',
      });
      await assert.rejects(apply([{ name: 'h', type: 'hardlink', linkname: '/etc/passwd' }], target), {
        name: 'InvalidArgument',
        message: 'layer sha256:abc entry h: hard link target /etc/passwd is not in the layer (or not yet extracted)',
      });
      assertSentinelUntouched(sentinel);
    });

    it('resolves hard link targets through symlinks inside the target only', async () => {
      const { sentinel, target } = freshTarget();
      await assert.rejects(
        apply(
          [
            { name: 'host-etc', type: 'symlink', linkname: '/etc' },
            { name: 'h', type: 'hardlink', linkname: 'host-etc/passwd' },
          ],
          target,
        ),
        { name: 'InvalidArgument', message: 'layer sha256:abc entry h: hard link target host-etc/passwd is not in the layer (or not yet extracted)' },
      );
      // Inside the target, "etc -> /etc" points at itself.
      await assert.rejects(
        apply(
          [
            { name: 'etc', type: 'symlink', linkname: '/etc' },
            { name: 'h', type: 'hardlink', linkname: 'etc/passwd' },
          ],
          target,
        ),
        { name: 'InvalidArgument', message: 'layer sha256:abc entry h: too many levels of symbolic links under etc' },
      );
      assert.equal(existsSync(join(target, 'h')), false);
      const hostPasswd = statSync('/etc/passwd');

      await apply(
        [
          { name: 'inner/passwd', content: 'in the layer' },
          { name: 'via', type: 'symlink', linkname: '/inner' },
          { name: 'h2', type: 'hardlink', linkname: 'via/passwd' },
          { name: 'to-host', type: 'symlink', linkname: '/etc/passwd' },
          { name: 'h3', type: 'hardlink', linkname: 'to-host' },
        ],
        target,
      );
      assert.equal(statSync(join(target, 'h2')).ino, statSync(join(target, 'inner', 'passwd')).ino);
      // A hard link to a symlink links the symlink itself, never what it points to.
      assert.ok(lstatSync(join(target, 'h3')).isSymbolicLink());
      assert.equal(lstatSync(join(target, 'h3')).ino, lstatSync(join(target, 'to-host')).ino);
      assert.equal(statSync('/etc/passwd').nlink, hostPasswd.nlink);
      assertSentinelUntouched(sentinel);
    });

    it('refuses an entry whose size exceeds maxBytes, before reading it', async () => {
      const { target } = freshTarget();
      await assert.rejects(apply([{ name: 'huge', content: 'x', sizeField: 10 * 1024 ** 3 }], target, { maxBytes: 1024 * 1024 }), {
        name: 'InvalidArgument',
        message: `layer sha256:abc entry huge: size ${10 * 1024 ** 3} exceeds the layer limit of 1048576 bytes`,
      });
      assert.equal(existsSync(join(target, 'huge')), false);
      await assert.rejects(
        apply([{ name: 'a', content: Buffer.alloc(600_000) }, { name: 'b', content: Buffer.alloc(600_000) }], target, { maxBytes: 1024 * 1024 }),
        { name: 'InvalidArgument', message: /exceeds the layer limit|larger than the limit of 1048576 bytes/ },
      );
    });

    it('refuses a layer larger than maxBytes uncompressed (a gzip bomb)', async () => {
      const { target } = freshTarget();
      const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024));
      await assert.rejects(applyLayer(streamOf(bomb), target, { whiteouts: 'apply', digest: 'sha256:abc', maxBytes: 1024 * 1024 }), {
        name: 'InvalidArgument',
        message: 'layer sha256:abc is larger than the limit of 1048576 bytes uncompressed',
      });
    });

    it('refuses corrupted gzip with a clear message', async () => {
      const { target } = freshTarget();
      const gz = gzipArchive([{ name: 'f', content: 'x'.repeat(10000) }]);
      const corrupt = Buffer.concat([gz.subarray(0, 30), Buffer.alloc(40, 0xaa), gz.subarray(70)]);
      await assert.rejects(applyLayer(streamOf(corrupt), target, { whiteouts: 'apply', digest: 'sha256:abc' }), (err: Error) => {
        assert.equal(err.name, 'InvalidArgument');
        assert.match(err.message, /^layer sha256:abc is not valid gzip: /);
        return true;
      });
    });

    it('says zstd layers are unsupported on this Node.js', { skip: hasZstd && 'this Node.js has zstd' }, async () => {
      const { target } = freshTarget();
      const zstd = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(100)]);
      await assert.rejects(applyLayer(streamOf(zstd), target, { whiteouts: 'apply', digest: 'sha256:abc' }), {
        name: 'Unsupported',
        message: `layer sha256:abc is zstd-compressed; this Node.js (${process.version}) has no zstd support (needs Node >= 22.15 / 23.8)`,
      });
      assert.deepEqual(readdirSync(target), []);
    });
  });

  describe("whiteouts, 'apply' (vfs)", () => {
    it('deletes a lower file and a lower directory tree', async () => {
      const { target } = freshTarget();
      await apply(
        [
          { name: 'etc/keep', content: 'k' },
          { name: 'etc/gone', content: 'g' },
          { name: 'tree/a/b/c', content: 'c' },
          { name: 'tree/d', content: 'd' },
        ],
        target,
      );
      const result = await apply(
        [
          { name: 'etc/.wh.gone', content: '' },
          { name: '.wh.tree', content: '' },
          { name: '.wh.never-existed', content: '' },
          { name: 'nodir/.wh.x', content: '' },
        ],
        target,
      );
      assert.deepEqual(readdirSync(target).sort(), ['etc']);
      assert.deepEqual(readdirSync(join(target, 'etc')), ['keep']);
      assert.deepEqual(result.warnings, []);
    });

    it('empties an opaque directory of lower entries, keeping what the layer adds, in any order', async () => {
      const { target } = freshTarget();
      await apply(
        [
          { name: 'opq/old', content: 'lower' },
          { name: 'opq/sub/old2', content: 'lower' },
          { name: 'opq/sub/keep-name', content: 'lower' },
          { name: 'other/file', content: 'untouched' },
        ],
        target,
      );
      await apply(
        [
          { name: 'opq/', type: 'dir' },
          { name: 'opq/early', content: 'before the marker' },
          { name: 'opq/sub/', type: 'dir' },
          { name: 'opq/sub/keep-name', content: 'replaced by this layer' },
          { name: 'opq/.wh..wh..opq', content: '' },
          { name: 'opq/late', content: 'after the marker' },
        ],
        target,
      );
      assert.deepEqual(readdirSync(join(target, 'opq')).sort(), ['early', 'late', 'sub']);
      assert.deepEqual(readdirSync(join(target, 'opq', 'sub')), ['keep-name']);
      assert.equal(readFileSync(join(target, 'opq', 'sub', 'keep-name'), 'utf8'), 'replaced by this layer');
      assert.equal(readFileSync(join(target, 'other', 'file'), 'utf8'), 'untouched');
      assert.equal(existsSync(join(target, 'opq', '.wh..wh..opq')), false);
    });

    it('deletes through a symlinked parent only inside the target', async () => {
      const { sentinel, target } = freshTarget();
      await apply([{ name: 'up', type: 'symlink', linkname: '../..' }], target);
      await apply([{ name: 'up/.wh.sentinel', content: '' }, { name: 'up/.wh..wh..opq', content: '' }], target);
      assertSentinelUntouched(sentinel);
    });
  });

  describe("whiteouts, 'overlay'", () => {
    it('writes a 0/0 character device for a deleted name and trusted.overlay.opaque=y for an opaque directory', async () => {
      const { target } = freshTarget();
      await applyLayer(
        streamOf(
          tarArchive([
            { name: 'etc/', type: 'dir' },
            { name: 'etc/.wh.passwd', content: '' },
            { name: 'opq/', type: 'dir' },
            { name: 'opq/.wh..wh..opq', content: '' },
            { name: 'opq/new', content: 'n' },
            { name: '.wh..wh.plnk/123.456', content: '' },
          ]),
        ),
        target,
        { whiteouts: 'overlay' },
      );
      const whiteout = lstatSync(join(target, 'etc', 'passwd'));
      assert.ok(whiteout.isCharacterDevice());
      assert.equal(whiteout.rdev, 0);
      assert.equal(existsSync(join(target, 'etc', '.wh.passwd')), false);
      const opaque = execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(target, 'opq')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(opaque, 'y');
      assert.deepEqual(readdirSync(join(target, 'opq')), ['new']);
      assert.deepEqual(readdirSync(target).sort(), ['etc', 'opq']);
    });
  });
});
