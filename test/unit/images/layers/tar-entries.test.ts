import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePaxXattrs, readTarEntries, type TarEntry } from '../../../../src/images/layers/tar-entries.js';
import { tarArchive, tarEntry, type TarSpec } from './tar-writer.js';

async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

interface Seen {
  path: string;
  type: string;
  content: string;
  entry: TarEntry;
}

async function read(data: Buffer, chunkSize = 333): Promise<Seen[]> {
  const seen: Seen[] = [];
  for await (const entry of readTarEntries(chunked(data, chunkSize), { layerName: 'layer sha256:abc' })) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body()) chunks.push(chunk);
    seen.push({ path: entry.path, type: entry.type, content: Buffer.concat(chunks).toString(), entry });
  }
  return seen;
}

describe('parsePaxXattrs', () => {
  it('picks SCHILY.xattr records out of a pax header', () => {
    const { xattrs, damaged } = parsePaxXattrs('30 mtime=1700000000.123456789\n27 SCHILY.xattr.user.a=1=2\n');
    assert.deepEqual([...xattrs], [['user.a', Buffer.from('1=2')]]);
    assert.equal(damaged, false);
  });

  it('ignores texts that are not pax records (GNU long names)', () => {
    assert.deepEqual(parsePaxXattrs('some/long/name\0'), { xattrs: new Map(), damaged: false });
  });

  it('reports records whose length no longer matches (binary values decoded as UTF-8)', () => {
    const text = Buffer.from([...Buffer.from('32 SCHILY.xattr.security.x='), 0xff, 0xfe, 0x0a]).toString('utf8');
    assert.equal(parsePaxXattrs(text).damaged, true);
  });
});

describe('readTarEntries', () => {
  it('reads every kind of entry with its metadata, in small chunks', async () => {
    const specs: TarSpec[] = [
      { name: 'dir/', type: 'dir', mode: 0o750, uid: 1000, gid: 1001, mtime: 1_600_000_000 },
      { name: 'dir/file', content: 'hello', mode: 0o4755 },
      { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'hard', type: 'hardlink', linkname: 'dir/file' },
      { name: 'null', type: 'char', devMajor: 1, devMinor: 3 },
      { name: 'disk', type: 'block', devMajor: 8, devMinor: 1 },
      { name: 'pipe', type: 'fifo' },
    ];
    const seen = await read(tarArchive(specs), 100);
    assert.deepEqual(
      seen.map((s) => [s.path, s.type, s.content]),
      [
        ['dir/', 'Directory', ''],
        ['dir/file', 'File', 'hello'],
        ['link', 'SymbolicLink', ''],
        ['hard', 'Link', ''],
        ['null', 'CharacterDevice', ''],
        ['disk', 'BlockDevice', ''],
        ['pipe', 'FIFO', ''],
      ],
    );
    const [dir, file, link, hard, nul, disk] = seen.map((s) => s.entry);
    assert.deepEqual([dir!.mode, dir!.uid, dir!.gid, dir!.mtime?.getTime()], [0o750, 1000, 1001, 1_600_000_000_000]);
    assert.equal(file!.mode, 0o4755);
    assert.equal(link!.linkpath, '/etc/passwd');
    assert.equal(hard!.linkpath, 'dir/file');
    assert.deepEqual([nul!.devMajor, nul!.devMinor, disk!.devMajor, disk!.devMinor], [1, 3, 8, 1]);
  });

  it('takes long names and link targets from pax headers, and xattrs with them', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    const seen = await read(
      tarArchive([
        { name: long, content: 'x', xattrs: { 'user.one': '1', 'security.capability': 'text' } },
        { name: 'plain', content: 'y' },
        { name: 'l', type: 'symlink', linkname: `/${'t'.repeat(200)}` },
      ]),
    );
    assert.equal(seen[0]!.path, long);
    assert.deepEqual(Object.fromEntries([...seen[0]!.entry.xattrs].map(([k, v]) => [k, v.toString()])), {
      'user.one': '1',
      'security.capability': 'text',
    });
    assert.equal(seen[1]!.entry.xattrs.size, 0, 'a pax header applies to its entry only');
    assert.equal(seen[2]!.entry.linkpath, `/${'t'.repeat(200)}`);
  });

  it('keeps large bodies whole when the consumer is slow', async () => {
    const big = Buffer.alloc(2_000_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const data = tarArchive([{ name: 'big', content: big }, { name: 'after', content: 'tail' }]);
    let received = 0;
    let matches = true;
    const names: string[] = [];
    for await (const entry of readTarEntries(chunked(data, 65536), { layerName: 'layer' })) {
      names.push(entry.path);
      for await (const chunk of entry.body()) {
        for (let i = 0; i < chunk.length; i += 997) if (chunk[i] !== (received + i) % 251 && entry.path === 'big') matches = false;
        if (entry.path === 'big') received += chunk.length;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    assert.deepEqual(names, ['big', 'after']);
    assert.equal(received, big.length);
    assert.ok(matches);
  });

  it('discards the bodies a consumer does not read', async () => {
    const data = tarArchive([{ name: 'a', content: 'x'.repeat(5000) }, { name: 'b', content: 'bee' }]);
    const seen: string[] = [];
    for await (const entry of readTarEntries(chunked(data, 512), { layerName: 'layer' })) {
      if (entry.path === 'b') for await (const chunk of entry.body()) seen.push(chunk.toString());
    }
    assert.deepEqual(seen, ['bee']);
  });

  it('refuses a header with a bad checksum', async () => {
    const data = tarArchive([{ name: 'a', content: 'x' }]);
    data[0] = 'b'.charCodeAt(0); // the name changes, the checksum does not
    await assert.rejects(read(data), (err: Error) => {
      assert.equal(err.name, 'InvalidArgument');
      assert.match(err.message, /^layer sha256:abc is not a valid tar archive: .*checksum/);
      return true;
    });
  });

  it('refuses a truncated archive', async () => {
    const entry = tarEntry({ name: 'a', content: 'x'.repeat(3000) });
    await assert.rejects(read(entry.subarray(0, 1500)), (err: Error) => {
      assert.equal(err.name, 'InvalidArgument');
      assert.match(err.message, /^layer sha256:abc is not a valid tar archive: .*Truncated/);
      return true;
    });
  });

  it('refuses data that is gzip again after decompression', async () => {
    await assert.rejects(read(Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(1022)])), {
      name: 'InvalidArgument',
      message: "layer sha256:abc is compressed twice (gzip inside the layer's compression)",
    });
  });

  it('passes errors of the source through', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield tarEntry({ name: 'a', content: 'x'.repeat(3000) }).subarray(0, 1024);
      throw new Error('connection reset');
    }
    const consume = async (): Promise<void> => {
      for await (const entry of readTarEntries(failing(), { layerName: 'layer' })) for await (const _ of entry.body());
    };
    await assert.rejects(consume(), { message: 'connection reset' });
  });
});
