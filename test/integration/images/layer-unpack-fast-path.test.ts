// What the fast unpack path must keep (synchronous writes, times set through the descriptor,
// large inflate chunks) and the two things it added around publishing a layer: the ext4 TOPDIR
// hint on the driver's home and the syncfs before the rename.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGraphDriver } from '../../../src/images/graphdriver/index.js';
import { publish, spreadSubdirectories, syncFilesystem } from '../../../src/images/graphdriver/scratch.js';
import { applyLayer } from '../../../src/images/layers/apply.js';
import { gzipArchive, streamOf } from '../../unit/images/layers/tar-writer.js';

const skip = process.getuid?.() !== 0 && 'needs root (chown)';

/** The filesystem type of `path` as stat -f names it ("ext2/ext3" for any ext, "tmpfs", …). */
const fsType = (path: string): string => execFileSync('stat', ['-f', '-c', '%T', path], { encoding: 'utf8' }).trim();
const hasTopdirFlag = (path: string): boolean =>
  execFileSync('lsattr', ['-d', path], { encoding: 'utf8' }).split(' ')[0]!.includes('T');

describe('layer unpack fast path', { skip }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-fastpath-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes large and small gzip-layer files byte for byte with owner, mode and times', async () => {
    const target = join(dir, 'big');
    mkdirSync(target);
    // Larger than several inflate chunks (256 KiB) and not a multiple of any block size.
    const big = randomBytes(3 * 1024 * 1024 + 12345);
    const specs = [
      { name: 'big.bin', content: big, mode: 0o644, uid: 1000, gid: 1000, mtime: 1_600_000_000 },
      ...Array.from({ length: 50 }, (_, i) => ({ name: `small/${i}`, content: `file ${i}\n`, mode: 0o600, uid: i, gid: 2 * i, mtime: 1_500_000_000 + i })),
      { name: 'small/setgid', content: 'x', mode: 0o2755, uid: 1000, gid: 50, mtime: 1_400_000_000 },
    ];
    const result = await applyLayer(streamOf(gzipArchive(specs), 64 * 1024), target, { whiteouts: 'overlay' });
    assert.deepEqual(result.warnings, []);
    assert.ok(readFileSync(join(target, 'big.bin')).equals(big));
    const bigStats = statSync(join(target, 'big.bin'));
    assert.deepEqual([bigStats.mode & 0o7777, bigStats.uid, bigStats.gid, bigStats.mtimeMs], [0o644, 1000, 1000, 1_600_000_000_000]);
    for (let i = 0; i < 50; i++) {
      const stats = statSync(join(target, 'small', String(i)));
      assert.equal(readFileSync(join(target, 'small', String(i)), 'utf8'), `file ${i}\n`);
      assert.deepEqual([stats.mode & 0o7777, stats.uid, stats.gid, stats.mtimeMs], [0o600, i, 2 * i, (1_500_000_000 + i) * 1000]);
    }
    const setgid = statSync(join(target, 'small', 'setgid'));
    assert.deepEqual([setgid.mode & 0o7777, setgid.gid, setgid.mtimeMs], [0o2755, 50, 1_400_000_000_000]);
  });

  it('keeps a file’s times when it also has xattrs (set after the times)', async () => {
    const target = join(dir, 'xattr');
    mkdirSync(target);
    await applyLayer(
      streamOf(gzipArchive([{ name: 'f', content: 'x', mtime: 1_234_567_890, xattrs: { 'user.berth': 'yes' } }])),
      target,
      { whiteouts: 'overlay' },
    );
    assert.equal(lstatSync(join(target, 'f')).mtimeMs, 1_234_567_890_000);
    const value = execFileSync('getfattr', ['--only-values', '-n', 'user.berth', join(target, 'f')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(value, 'yes');
  });

  it('marks a directory TOPDIR on ext2/3/4 and shrugs elsewhere', async (t) => {
    const ext = join(dir, 'home');
    mkdirSync(ext);
    if (fsType(ext) === 'ext2/ext3') {
      assert.equal(await spreadSubdirectories(ext), true);
      assert.ok(hasTopdirFlag(ext));
    } else {
      t.diagnostic(`${tmpdir()} is ${fsType(ext)}, not ext4: TOPDIR not checked there`);
    }
    if (existsSync('/dev/shm') && fsType('/dev/shm') === 'tmpfs') {
      const shm = mkdtempSync('/dev/shm/berth-fastpath-');
      try {
        assert.equal(await spreadSubdirectories(shm), false);
      } finally {
        rmSync(shm, { recursive: true, force: true });
      }
    }
  });

  it('opening a driver marks its home TOPDIR on ext4', async (t) => {
    const root = join(dir, 'graph');
    await openGraphDriver(root, 'vfs');
    if (fsType(dir) !== 'ext2/ext3') return t.skip(`${tmpdir()} is not ext4`);
    assert.ok(hasTopdirFlag(join(root, 'vfs')));
  });

  it('publishes a durable layer only after syncing it; a failed sync publishes nothing', async () => {
    const home = join(dir, 'publish');
    mkdirSync(home);
    const scratch = join(home, 'tmp-0123456789abcdef');
    mkdirSync(scratch);
    writeFileSync(join(scratch, 'file'), 'content');
    assert.equal(await publish(scratch, join(home, 'layer'), { durable: true }), true);
    assert.equal(readFileSync(join(home, 'layer', 'file'), 'utf8'), 'content');
    assert.equal(existsSync(scratch), false);

    await assert.rejects(publish(join(home, 'tmp-missing'), join(home, 'other'), { durable: true }));
    assert.equal(existsSync(join(home, 'other')), false);
    await syncFilesystem(home); // and on its own
  });

  it('unpacks and publishes an image layer through the vfs driver', async () => {
    const driver = await openGraphDriver(join(dir, 'graph-vfs'), 'vfs');
    const tar = gzipArchive([{ name: 'etc/', type: 'dir', mode: 0o755 }, { name: 'etc/hostname', content: 'berth\n', mtime: 1_600_000_000 }]);
    const { createHash } = await import('node:crypto');
    const { gunzipSync } = await import('node:zlib');
    const diffId = `sha256:${createHash('sha256').update(gunzipSync(tar)).digest('hex')}`;
    const chainId = diffId;
    await driver.createLayer(chainId, undefined, streamOf(tar), diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    const [path] = await driver.diffPaths(chainId);
    assert.equal(readFileSync(join(path!, 'etc', 'hostname'), 'utf8'), 'berth\n');
    assert.equal(statSync(join(path!, 'etc', 'hostname')).mtimeMs, 1_600_000_000_000);
  });
});
