// Layers applied with whiteouts: 'overlay', stacked by the kernel: the merged view must hide
// what the upper layer deleted and what lies under its opaque directory.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLayer } from '../../../src/images/layers/apply.js';
import { streamOf, tarArchive, gzipArchive } from '../../unit/images/layers/tar-writer.js';

const skip = process.getuid?.() !== 0 && 'needs root (mount, mknod, trusted xattrs)';

describe('overlay layers', { skip }, () => {
  const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'berth-overlay-'));
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('merge as the image says: whiteouts hide lower files, opaque directories hide lower content', async () => {
    const lower = join(dir, 'lower');
    const upper = join(dir, 'upper');
    const merged = join(dir, 'merged');
    for (const d of [lower, upper, merged]) mkdirSync(d);

    await applyLayer(
      streamOf(
        gzipArchive([
          { name: 'etc/', type: 'dir' },
          { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
          { name: 'etc/hostname', content: 'lower\n' },
          { name: 'tree/a/b', content: 'deleted with its tree' },
          { name: 'opq/', type: 'dir' },
          { name: 'opq/lower-file', content: 'hidden' },
          { name: 'opq/lower-dir/x', content: 'hidden' },
        ]),
      ),
      lower,
      { whiteouts: 'overlay', digest: 'sha256:lower' },
    );
    await applyLayer(
      streamOf(
        tarArchive([
          { name: 'etc/', type: 'dir' },
          { name: 'etc/.wh.passwd', content: '' },
          { name: '.wh.tree', content: '' },
          { name: 'opq/', type: 'dir' },
          { name: 'opq/.wh..wh..opq', content: '' },
          { name: 'opq/upper-file', content: 'shown' },
        ]),
      ),
      upper,
      { whiteouts: 'overlay', digest: 'sha256:upper' },
    );

    // Two lower directories and no upper one: a read-only stack, as an image is.
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${upper}:${lower}`, merged]);
    try {
      assert.deepEqual(readdirSync(join(merged, 'etc')), ['hostname']);
      assert.equal(existsSync(join(merged, 'etc', 'passwd')), false);
      assert.equal(readFileSync(join(merged, 'etc', 'hostname'), 'utf8'), 'lower\n');
      assert.equal(existsSync(join(merged, 'tree')), false);
      assert.deepEqual(readdirSync(join(merged, 'opq')), ['upper-file']);
      assert.deepEqual(readdirSync(merged).sort(), ['etc', 'opq']);
    } finally {
      execFileSync('umount', [merged]);
    }
  });
});
