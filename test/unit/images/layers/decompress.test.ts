import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { decompressLayer, detectCompression } from '../../../../src/images/layers/decompress.js';

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

const text = Buffer.from('not really a tar, but bytes are bytes '.repeat(500));
const zstdHeader = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00]);
const hasZstd = 'createZstdDecompress' in zlib;

describe('detectCompression', () => {
  it('goes by magic bytes', () => {
    assert.equal(detectCompression(zlib.gzipSync(text)), 'gzip');
    assert.equal(detectCompression(zstdHeader), 'zstd');
    assert.equal(detectCompression(text), 'none');
    assert.equal(detectCompression(Buffer.from([0x1f])), 'none');
    assert.equal(detectCompression(Buffer.alloc(0)), 'none');
  });
});

describe('decompressLayer', () => {
  it('passes plain data through, even when the first chunks are tiny', async () => {
    assert.deepEqual(await collect(decompressLayer(chunked(text, 1), 'layer')), text);
    assert.deepEqual(await collect(decompressLayer(chunked(Buffer.alloc(0), 1), 'layer')), Buffer.alloc(0));
  });

  it('inflates gzip', async () => {
    assert.deepEqual(await collect(decompressLayer(chunked(zlib.gzipSync(text), 3), 'layer')), text);
  });

  it('refuses damaged gzip with a clear InvalidArgument', async () => {
    const gz = zlib.gzipSync(text);
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 20, 60);
    await assert.rejects(collect(decompressLayer(chunked(corrupt, 100), 'layer sha256:abc')), (err: Error) => {
      assert.equal(err.name, 'InvalidArgument');
      assert.match(err.message, /^layer sha256:abc is not valid gzip: /);
      return true;
    });
    await assert.rejects(collect(decompressLayer(chunked(gz.subarray(0, gz.length - 30), 100), 'layer sha256:abc')), {
      name: 'InvalidArgument',
      message: 'layer sha256:abc is not valid gzip: unexpected end of file',
    });
  });

  it('passes errors of the source through unchanged', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield zlib.gzipSync(text).subarray(0, 50);
      throw new Error('connection reset');
    }
    await assert.rejects(collect(decompressLayer(failing(), 'layer')), { message: 'connection reset' });
  });

  it('says zstd is unsupported on a Node.js without it', { skip: hasZstd && 'this Node.js has zstd' }, async () => {
    await assert.rejects(collect(decompressLayer(chunked(zstdHeader, 2), 'layer sha256:abc')), {
      name: 'Unsupported',
      message: `layer sha256:abc is zstd-compressed; this Node.js (${process.version}) has no zstd support (needs Node >= 22.15 / 23.8)`,
    });
  });
});
