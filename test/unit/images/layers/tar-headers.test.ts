// The layer writer's headers read back by node-tar's parser (through readTarEntries), the pax
// record length rule, sorting of diff entries and getfattr's dump format.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareDiffEntries, finishEntries, type DiffEntry } from '../../../../src/images/layers/diff.js';
import { encodeTarHeader, paxRecord, tarEndBlocks, tarPadding } from '../../../../src/images/layers/tar-headers.js';
import { readTarEntries } from '../../../../src/images/layers/tar-entries.js';
import { parseGetfattrDump } from '../../../../src/images/layers/xattr-dump.js';

async function* once(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

describe('tar headers', () => {
  it('pax records count their own length', () => {
    for (const value of ['', 'x', 'y'.repeat(90), 'z'.repeat(1000)]) {
      const record = paxRecord('path', value);
      assert.equal(Number(record.toString().split(' ')[0]), record.length);
    }
  });

  it('round-trips long names, link targets, xattrs and large ids through node-tar', async () => {
    const long = `${'d'.repeat(150)}/${'f'.repeat(120)}`;
    const content = Buffer.from('hello');
    const archive = Buffer.concat([
      encodeTarHeader({ path: long, type: 'file', mode: 0o4755, uid: 3_000_000, gid: 7, size: 5, mtime: 1_700_000_000, xattrs: new Map([['user.bin', Buffer.from('ok')]]) }),
      content,
      tarPadding(5),
      encodeTarHeader({ path: 'ünï/link', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 0, linkname: 'l'.repeat(200) }),
      encodeTarHeader({ path: 'dir', type: 'directory', mode: 0o750, uid: 1, gid: 2, size: 0, mtime: 5 }),
      tarEndBlocks(),
    ]);
    const seen = [];
    for await (const entry of readTarEntries(once(archive), { layerName: 'test' })) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry.body()) chunks.push(chunk);
      seen.push({ path: entry.path, type: entry.type, mode: entry.mode & 0o7777, uid: entry.uid, link: entry.linkpath, body: Buffer.concat(chunks).toString(), x: entry.xattrs.get('user.bin')?.toString() });
    }
    assert.deepEqual(seen, [
      { path: long, type: 'File', mode: 0o4755, uid: 3_000_000, link: undefined, body: 'hello', x: 'ok' },
      { path: 'ünï/link', type: 'SymbolicLink', mode: 0o777, uid: 0, link: 'l'.repeat(200), body: '', x: undefined },
      { path: 'dir/', type: 'Directory', mode: 0o750, uid: 1, link: undefined, body: '', x: undefined },
    ]);
  });
});

describe('diff entry order', () => {
  const entry = (path: string, rank?: number, inode?: string): DiffEntry => ({
    header: { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, mtime: 0 },
    ...(rank !== undefined && { rank }),
    ...(inode !== undefined && { inode }),
  });

  it('puts parents before children and the opaque marker first in its directory', () => {
    const sorted = [entry('a.b'), entry('a/z'), entry('a/.wh..wh..opq', 0), entry('a'), entry('a/-')].sort(compareDiffEntries);
    assert.deepEqual(sorted.map((e) => e.header.path), ['a', 'a/.wh..wh..opq', 'a/-', 'a/z', 'a.b']);
  });

  it('turns later links to the same inode into hard links to the first path', () => {
    const done = finishEntries([entry('z', undefined, '1:2'), entry('b', undefined, '1:2')]);
    assert.deepEqual(done.map((e) => [e.header.path, e.header.type, e.header.linkname]), [['b', 'file', undefined], ['z', 'hardlink', 'b']]);
  });
});

describe('getfattr dump', () => {
  it('parses paths (octal escapes) and base64 values relative to the root', () => {
    const dump = ['# file: /r/a\\040b', 'user.x=0sAAE=', 'trusted.overlay.opaque=0seQ==', '', '# file: /r', 'user.root=0sZg==', ''].join('\n');
    const tree = parseGetfattrDump(dump, '/r');
    assert.deepEqual([...tree.keys()], ['a b', '']);
    assert.deepEqual(tree.get('a b')?.get('user.x'), Buffer.from([0, 1]));
    assert.equal(tree.get('a b')?.get('trusted.overlay.opaque')?.toString(), 'y');
  });
});
