import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamDemuxer, encodeFrame } from '../../../src/api/stream-demux.js';

const collect = (demuxer: StreamDemuxer, chunks: Buffer[]) =>
  chunks.flatMap((c) => demuxer.push(c)).map((f) => [f.stream, f.data.toString()]);

describe('StreamDemuxer (Docker multiplexed stream)', () => {
  it('decodes stdout and stderr frames from one chunk', () => {
    const data = Buffer.concat([encodeFrame(1, 'out\n'), encodeFrame(2, 'err\n')]);
    assert.deepEqual(collect(new StreamDemuxer(), [data]), [[1, 'out\n'], [2, 'err\n']]);
  });

  it('decodes frames split at every byte: inside the header and inside the payload', () => {
    const data = Buffer.concat([encodeFrame(1, 'hello'), encodeFrame(2, 'world!'), encodeFrame(1, '')]);
    const demuxer = new StreamDemuxer();
    const bytes = [...data].map((b) => Buffer.from([b]));
    assert.deepEqual(collect(demuxer, bytes), [[1, 'hello'], [2, 'world!'], [1, '']]);
    assert.equal(demuxer.buffered, 0);
    demuxer.finish();
  });

  it('keeps a partial frame until the rest arrives, across many chunk boundaries', () => {
    const payload = 'x'.repeat(70000);
    const data = Buffer.concat([encodeFrame(2, payload), encodeFrame(1, 'tail')]);
    const demuxer = new StreamDemuxer();
    const frames = [];
    for (let i = 0; i < data.length; i += 4093) frames.push(...demuxer.push(data.subarray(i, i + 4093)));
    assert.equal(frames.length, 2);
    assert.equal(frames[0]!.data.length, 70000);
    assert.equal(frames[1]!.data.toString(), 'tail');
  });

  it('reads the size as a big-endian u32', () => {
    const frame = encodeFrame(1, Buffer.alloc(0x010203));
    assert.deepEqual([...frame.subarray(0, 8)], [1, 0, 0, 0, 0, 1, 2, 3]);
  });

  it('reports a stream cut inside a frame, and refuses an unknown stream id', () => {
    const demuxer = new StreamDemuxer();
    demuxer.push(encodeFrame(1, 'abcdef').subarray(0, 10));
    assert.throws(() => demuxer.finish(), /inside a frame/);
    assert.throws(() => new StreamDemuxer().push(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0])), /unrecognized input header/);
  });
});
