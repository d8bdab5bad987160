import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawMetaHeaders } from '../../../../src/images/layers/raw-meta-headers.js';
import { readTarEntries } from '../../../../src/images/layers/tar-entries.js';
import { tarArchive } from './tar-writer.js';

const capability = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xff, 0xff, 0xfe, 0x80, 0, 0, 0]);
const archive = tarArchive([
  { name: 'short', content: 'a' },
  { name: `long/${'x'.repeat(200)}/name`, content: 'b', xattrs: { 'security.capability': capability } },
  { name: 'after', content: 'c'.repeat(1500), xattrs: { 'user.text': 'plain' } },
]);

describe('raw meta headers', () => {
  for (const chunkSize of [1, 7, 511, 512, 513, 4096, archive.length]) {
    it(`keeps each pax header's bytes, whatever the chunking (${chunkSize})`, () => {
      const scanner = new RawMetaHeaders();
      for (let i = 0; i < archive.length; i += chunkSize) scanner.push(archive.subarray(i, i + chunkSize));
      const first = scanner.takeNext();
      assert.ok(first?.includes(Buffer.concat([Buffer.from('SCHILY.xattr.security.capability='), capability])));
      assert.match(scanner.takeNext()?.toString('latin1') ?? '', /SCHILY\.xattr\.user\.text=plain\n/);
      assert.equal(scanner.takeNext(), undefined);
    });
  }

  it('lets readTarEntries return binary xattr values intact, and every entry in order', async () => {
    async function* chunks() {
      for (let i = 0; i < archive.length; i += 300) yield archive.subarray(i, i + 300);
    }
    const seen: { path: string; xattrs: Map<string, Buffer>; damaged: boolean }[] = [];
    for await (const entry of readTarEntries(chunks(), { layerName: 'test layer' })) {
      seen.push({ path: entry.path, xattrs: new Map(entry.xattrs), damaged: entry.xattrsDamaged });
      for await (const _ of entry.body()) { /* drain */ }
    }
    assert.deepEqual(seen.map((e) => e.path), ['short', `long/${'x'.repeat(200)}/name`, 'after']);
    assert.deepEqual(seen[1]!.xattrs.get('security.capability'), capability);
    assert.equal(seen[1]!.damaged, false);
    assert.deepEqual(seen[2]!.xattrs.get('user.text'), Buffer.from('plain'));
  });
});
