import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ContentStore } from '../../../src/images/content-store.js';
import { sha256Digest } from '../../../src/images/digest.js';
import { acquireFileLock } from '../../../src/images/file-lock.js';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

/** Yields `data` in chunks of `size`, counting how many chunks were taken. */
function chunked(data: Buffer, size: number, stats = { pulled: 0, finished: false }) {
  return {
    stats,
    async *[Symbol.asyncIterator]() {
      try {
        for (let i = 0; i < data.length; i += size) {
          stats.pulled++;
          yield data.subarray(i, i + size);
        }
      } finally {
        stats.finished = true;
      }
    },
  };
}

/** A download that dies after `bytes` bytes. */
async function* interrupted(data: Buffer, bytes: number): AsyncGenerator<Uint8Array> {
  yield data.subarray(0, bytes);
  throw new Error('connection reset');
}

describe('ContentStore', () => {
  let top: string;
  let root: string;
  let store: ContentStore;
  let n = 0;
  before(() => {
    top = mkdtempSync(join(tmpdir(), 'berth-content-'));
  });
  after(() => rmSync(top, { recursive: true, force: true }));
  beforeEach(() => {
    root = join(top, `root${n++}`);
    store = new ContentStore(root);
  });

  const blob = randomBytes(100_000);
  const digest = sha256Digest(blob);
  const hex = digest.slice('sha256:'.length);
  const ingestDir = (): string[] => (existsSync(join(root, 'ingest')) ? readdirSync(join(root, 'ingest')).sort() : []);

  it('ingests a blob from a stream and serves it back', async () => {
    await store.ingest(digest, blob.length, Readable.from(chunked(blob, 4096)));
    assert.equal(store.path(digest), join(root, 'blobs', 'sha256', hex));
    assert.equal(await store.has(digest), true);
    assert.deepEqual(await store.info(digest), { digest, size: blob.length });
    assert.deepEqual(await store.read(digest), blob);
    const chunks: Buffer[] = [];
    for await (const chunk of await store.createReadStream(digest)) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), blob);
    assert.deepEqual(await store.list(), [{ digest, size: blob.length }]);
    assert.deepEqual(ingestDir(), [], 'no partial, lock or temporary file is left');
  });

  it('ingests without a known size, and from plain iterables', async () => {
    await store.ingest(digest, undefined, chunked(blob, 999));
    assert.deepEqual(await store.read(digest), blob);
    const small = Buffer.from('{"config":true}');
    await store.ingest(sha256Digest(small), small.length, [small.subarray(0, 3), small.subarray(3)]);
    assert.deepEqual(await store.read(sha256Digest(small)), small);
  });

  it('stores an empty blob', async () => {
    const d = await store.put(new Uint8Array());
    assert.equal(d, 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.deepEqual(await store.info(d), { digest: d, size: 0 });
  });

  it('put stores bytes under their sha256 digest, once', async () => {
    const manifest = Buffer.from('{"schemaVersion":2}');
    const d = await store.put(manifest);
    assert.equal(d, sha256Digest(manifest));
    assert.equal(await store.put(manifest), d);
    assert.deepEqual(await store.list(), [{ digest: d, size: manifest.length }]);
  });

  it('treats an existing blob as done and destroys the unneeded stream', async () => {
    await store.put(blob);
    const stats = { pulled: 0, finished: false };
    const stream = Readable.from(chunked(blob, 1000, stats));
    await store.ingest(digest, blob.length, stream);
    assert.equal(stream.destroyed, true);
    assert.equal(stats.pulled, 0);
  });

  it('rejects content that does not match its digest, leaving nothing behind', async () => {
    const other = sha256Digest('other');
    await assert.rejects(store.ingest(other, blob.length, chunked(blob, 8192)), {
      name: 'InvalidArgument',
      message: `digest mismatch: expected ${other}, got ${digest}`,
    });
    assert.equal(await store.has(other), false);
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(readdirSync(join(root, 'blobs', 'sha256')), []);
    assert.deepEqual(ingestDir(), []);
    assert.equal(await store.partialSize(other), 0);
  });

  it('destroys a Readable source whatever happens', async () => {
    const bad = Readable.from([Buffer.from('x')]);
    await assert.rejects(store.ingest('sha256:nope', 1, bad));
    assert.equal(bad.destroyed, true);
    const good = Readable.from([blob]);
    await store.ingest(digest, blob.length, good);
    assert.equal(good.destroyed, true);
  });

  it('aborts as soon as the content outgrows its expected size', async () => {
    const stats = { pulled: 0, finished: false };
    await assert.rejects(store.ingest(digest, 1500, chunked(blob, 1000, stats)), {
      name: 'InvalidArgument',
      message: `size mismatch for ${digest}: expected 1500 bytes, got more (at least 2000)`,
    });
    assert.equal(stats.pulled, 2, 'no chunk is read after the one that overflowed');
    assert.equal(stats.finished, true, 'the source is closed');
    assert.deepEqual(ingestDir(), []);
    assert.equal(await store.has(digest), false);
  });

  it('rejects content shorter than its expected size', async () => {
    await assert.rejects(store.ingest(digest, blob.length + 1, [blob]), {
      message: `size mismatch for ${digest}: expected ${blob.length + 1} bytes, got ${blob.length}`,
    });
    assert.deepEqual(ingestDir(), []);
  });

  it('keeps the partial of an interrupted download and resumes it', async () => {
    await assert.rejects(store.ingest(digest, blob.length, interrupted(blob, 30_000)), { message: 'connection reset' });
    assert.equal(await store.has(digest), false);
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(ingestDir(), [`${hex}.partial`], 'the lock is released, the partial kept');
    const offset = await store.partialSize(digest);
    assert.equal(offset, 30_000);

    // Second interruption, appended to the first.
    await assert.rejects(store.ingest(digest, blob.length, interrupted(blob.subarray(offset), 20_000), { resume: true }));
    assert.equal(await store.partialSize(digest), 50_000);

    // As a puller would: a Range request from partialSize().
    const from = await store.partialSize(digest);
    await store.ingest(digest, blob.length, Readable.from([blob.subarray(from)]), { resume: true });
    assert.deepEqual(await store.read(digest), blob);
    assert.deepEqual(ingestDir(), []);
  });

  it('resumes at an exact offset, cutting a longer partial back to it', async () => {
    await assert.rejects(store.ingest(digest, blob.length, interrupted(blob, 40_000)));
    await store.ingest(digest, blob.length, [blob.subarray(25_000)], { resumeFrom: 25_000 });
    assert.deepEqual(await store.read(digest), blob);
  });

  it('refuses to resume past the bytes it has', async () => {
    await assert.rejects(store.ingest(digest, blob.length, interrupted(blob, 10)));
    await assert.rejects(store.ingest(digest, blob.length, [blob.subarray(500)], { resumeFrom: 500 }), {
      name: 'FailedPrecondition',
      message: `cannot resume ${digest} at byte 500: only 10 bytes were downloaded`,
    });
    assert.equal(await store.partialSize(digest), 10, 'the partial is kept');
  });

  it('discards a resumed partial whose old bytes turn out wrong', async () => {
    mkdirSync(join(root, 'ingest'), { recursive: true });
    writeFileSync(join(root, 'ingest', `${hex}.partial`), Buffer.alloc(1000, 7)); // corrupted on disk
    await assert.rejects(store.ingest(digest, blob.length, [blob.subarray(1000)], { resume: true }), {
      message: /^digest mismatch: expected sha256:/,
    });
    assert.deepEqual(ingestDir(), []);
    // A partial longer than the blob fails while re-hashing, before the source is read.
    writeFileSync(join(root, 'ingest', `${hex}.partial`), Buffer.alloc(blob.length + 1));
    const stats = { pulled: 0, finished: false };
    await assert.rejects(store.ingest(digest, blob.length, chunked(blob, 100, stats), { resume: true }), { message: /size mismatch/ });
    assert.equal(stats.pulled, 0);
    assert.deepEqual(ingestDir(), []);
  });

  it('starts over (no resume) by truncating an old partial', async () => {
    await assert.rejects(store.ingest(digest, blob.length, interrupted(Buffer.alloc(5000, 1), 5000)));
    await store.ingest(digest, blob.length, [blob]);
    assert.deepEqual(await store.read(digest), blob);
  });

  it('keeps the partial when the caller aborts', async () => {
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield blob.subarray(0, 1000);
      controller.abort(new Error('pull cancelled'));
      yield blob.subarray(1000, 2000);
    }
    await assert.rejects(store.ingest(digest, blob.length, slow(), { signal: controller.signal }), { message: 'pull cancelled' });
    assert.equal(await store.partialSize(digest), 1000);
  });

  it('lets one writer at a time ingest a digest; the other waits and finds it done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* gated(): AsyncGenerator<Uint8Array> {
      yield blob.subarray(0, 50_000);
      await gate;
      yield blob.subarray(50_000);
    }
    const secondStats = { pulled: 0, finished: false };
    const first = store.ingest(digest, blob.length, gated());
    await new Promise((r) => setTimeout(r, 30)); // first holds the lock
    await assert.rejects(store.ingest(digest, blob.length, [blob], { wait: false }), {
      name: 'Conflict',
      message: `ingest of ${digest} is in use by process ${process.pid}`,
    });
    const second = store.ingest(digest, blob.length, chunked(blob, 1000, secondStats));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(secondStats.pulled, 0, 'the second writer waits');
    release();
    await Promise.all([first, second]);
    assert.equal(secondStats.pulled, 0, 'and then has nothing to do');
    assert.deepEqual(await store.read(digest), blob);
    assert.deepEqual(ingestDir(), []);
  });

  it('gets many concurrent ingests of the same and different blobs right', async () => {
    const blobs = Array.from({ length: 4 }, () => randomBytes(20_000));
    await Promise.all(
      blobs.flatMap((b) => [1, 2, 3].map((i) => store.ingest(sha256Digest(b), b.length, chunked(b, 1000 * i)))),
    );
    for (const b of blobs) assert.deepEqual(await store.read(sha256Digest(b)), b);
    assert.equal((await store.list()).length, 4);
    assert.deepEqual(ingestDir(), []);
  });

  it('refuses hostile digest strings before touching the filesystem', async () => {
    const hostile = [
      'sha256:../../../../etc/passwd',
      `sha256:${hex.slice(0, 62)}/.`,
      `sha256:../${hex.slice(3)}`,
      `sha256:${hex}/..`,
      `sha256:${hex.slice(1)}`,
      `sha256:${hex}0`,
      `sha256:${hex.toUpperCase()}`,
      `sha256:${hex}\0`,
      `../sha256:${hex}`,
      `md5:${hex.slice(0, 32)}`,
      hex,
      '',
    ];
    for (const bad of hostile) {
      const label = JSON.stringify(bad);
      assert.throws(() => store.path(bad), { name: 'InvalidArgument', message: /^invalid digest "/ }, label);
      for (const call of [
        () => store.has(bad),
        () => store.info(bad),
        () => store.read(bad),
        () => store.createReadStream(bad),
        () => store.partialSize(bad),
        () => store.delete(bad),
        () => store.ingest(bad, 4, [Buffer.from('evil')]),
      ]) {
        await assert.rejects(call(), { name: 'InvalidArgument' }, label);
      }
    }
    assert.equal(existsSync(root), false, 'nothing was created');
  });

  it('refuses a nonsensical expected size or offset before touching the filesystem', async () => {
    await assert.rejects(store.ingest(digest, -1, [blob]), { name: 'InvalidArgument', message: /invalid size -1/ });
    await assert.rejects(store.ingest(digest, blob.length, [blob], { resumeFrom: -5 }), { name: 'InvalidArgument' });
    assert.equal(existsSync(root), false);
  });

  it('reports a missing blob as NotFound or absent', async () => {
    assert.equal(await store.has(digest), false);
    assert.equal(await store.info(digest), undefined);
    await assert.rejects(store.read(digest), { name: 'NotFound', message: `blob ${digest} is not in the content store` });
    await assert.rejects(store.createReadStream(digest), { name: 'NotFound' });
    assert.equal(await store.delete(digest), false);
    assert.deepEqual(await store.list(), []);
  });

  it('deletes a blob', async () => {
    await store.put(blob);
    assert.equal(await store.delete(digest), true);
    assert.equal(await store.has(digest), false);
  });

  it('never shows a leftover partial (a crash mid-download) as a blob, and recovers', async () => {
    // What a crashed writer leaves: a partial (here even complete) and its lock, held by a dead pid.
    mkdirSync(join(root, 'ingest'), { recursive: true });
    mkdirSync(join(root, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(root, 'ingest', `${hex}.partial`), blob);
    writeFileSync(join(root, 'ingest', `${hex}.lock`), `${spawnSync('true').pid} 1 ${bootId} x\n`);
    // And stray files in the blob directory that are not blobs.
    writeFileSync(join(root, 'blobs', 'sha256', `.${hex}.tmp`), 'x');
    writeFileSync(join(root, 'blobs', 'sha256', 'README'), 'x');
    assert.equal(await store.has(digest), false);
    assert.equal(await store.info(digest), undefined);
    assert.deepEqual(await store.list(), []);
    assert.equal(await store.partialSize(digest), blob.length);

    // The next ingest breaks the stale lock.
    await store.ingest(digest, blob.length, [blob]);
    assert.deepEqual(await store.list(), [{ digest, size: blob.length }]);
    assert.deepEqual(ingestDir(), []);
  });

  it('garbage-collects unreferenced blobs only', async () => {
    const kept = await store.put(Buffer.from('kept'));
    const gone1 = await store.put(Buffer.from('gone one'));
    const gone2 = await store.put(Buffer.from('gone two!'));
    const result = await store.garbageCollect(new Set([kept, 'not-a-digest']));
    assert.deepEqual(result.removed.sort(), [gone1, gone2].sort());
    assert.equal(result.freedBytes, 'gone one'.length + 'gone two!'.length);
    assert.deepEqual(result.removedPartials, []);
    assert.deepEqual(await store.list(), [{ digest: kept, size: 4 }]);
    assert.deepEqual(await store.garbageCollect(new Set([kept])), { removed: [], removedPartials: [], freedBytes: 0 });
  });

  it('garbage-collects abandoned partials, not fresh or locked ones', async () => {
    const d = (s: string) => sha256Digest(s);
    const hexOf = (s: string) => d(s).slice(7);
    mkdirSync(join(root, 'ingest'), { recursive: true });
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    for (const name of ['old', 'fresh', 'locked']) {
      writeFileSync(join(root, 'ingest', `${hexOf(name)}.partial`), Buffer.alloc(100));
      if (name !== 'fresh') utimesSync(join(root, 'ingest', `${hexOf(name)}.partial`), old, old);
    }
    // What dead lock takers leave: a lock, a breaker, a temporary owner file.
    const deadOwner = `${spawnSync('true').pid} 1 ${bootId} x\n`;
    const leftovers = [`${hexOf('old')}.lock`, `${hexOf('dead')}.lock`, `${hexOf('dead')}.lock.break`, `${hexOf('dead')}.lock.123.abc.tmp`];
    for (const name of [...leftovers, 'unrelated.txt']) {
      writeFileSync(join(root, 'ingest', name), name.endsWith('.lock') ? deadOwner : '');
      utimesSync(join(root, 'ingest', name), old, old);
    }
    const lock = await acquireFileLock(join(root, 'ingest', `${hexOf('locked')}.lock`));
    try {
      const result = await store.garbageCollect(new Set());
      assert.deepEqual(result, { removed: [], removedPartials: [d('old')], freedBytes: 100 });
    } finally {
      await lock.release();
    }
    assert.deepEqual(ingestDir(), [`${hexOf('fresh')}.partial`, `${hexOf('locked')}.partial`, 'unrelated.txt'].sort());
    // With a zero age, every partial nobody writes goes.
    const all = await store.garbageCollect(new Set(), { partialMaxAgeMs: 0 });
    assert.deepEqual(all.removedPartials, [d('fresh'), d('locked')].sort());
    assert.deepEqual(ingestDir(), ['unrelated.txt']);
  });

  it('handles sha512 blobs', async () => {
    const { createHash } = await import('node:crypto');
    const d512 = `sha512:${createHash('sha512').update(blob).digest('hex')}`;
    await store.ingest(d512, blob.length, [blob]);
    assert.equal(store.path(d512), join(root, 'blobs', 'sha512', d512.slice(7)));
    assert.deepEqual(await store.list(), [{ digest: d512, size: blob.length }]);
  });
});
