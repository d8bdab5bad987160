import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DigestVerifier, digestOf, isDigest, parseDigest, sha256Digest } from '../../../src/images/digest.js';

const emptySha256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('parseDigest', () => {
  it('splits valid sha256 and sha512 digests', () => {
    assert.deepEqual(parseDigest(emptySha256), {
      algorithm: 'sha256',
      hex: emptySha256.slice(7),
      digest: emptySha256,
    });
    const sha512 = `sha512:${'0f'.repeat(64)}`;
    assert.deepEqual(parseDigest(sha512), { algorithm: 'sha512', hex: '0f'.repeat(64), digest: sha512 });
  });

  it('refuses malformed digests, quoting them', () => {
    const cases: [string, RegExp][] = [
      ['', /^invalid digest "": a digest is an algorithm and a hexadecimal hash separated by ":"/],
      ['sha256', /separated by ":"/],
      ['sha256:', /separated by ":"/],
      [':abc', /separated by ":"/],
      ['sha256:abc', /^invalid digest "sha256:abc": invalid checksum digest length: sha256 needs 64 hexadecimal digits, not 3$/],
      [`sha512:${'a'.repeat(64)}`, /sha512 needs 128 hexadecimal digits, not 64/],
      [`sha256:${'A'.repeat(64)}`, /must be lowercase hexadecimal/],
      [`sha256:${'g'.repeat(64)}`, /must be lowercase hexadecimal/],
      [`sha256:../${'a'.repeat(61)}`, /^invalid digest "sha256:\.\.\/a+": invalid checksum digest format$/],
      [`sha256:${'a'.repeat(32)}/${'a'.repeat(31)}`, /invalid checksum digest format/],
      [`SHA256:${'a'.repeat(64)}`, /invalid checksum digest format/],
      [`../sha256:${'a'.repeat(64)}`, /invalid checksum digest format/],
      [`md5:${'a'.repeat(32)}`, /^invalid digest "md5:a+": unsupported digest algorithm "md5" \(berth supports sha256 and sha512\)$/],
      [`sha256+b64:${'a'.repeat(64)}`, /unsupported digest algorithm "sha256\+b64"/],
      [`sha256:${'a'.repeat(64)}\n`, /invalid checksum digest format/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseDigest(text), { name: 'InvalidArgument', message }, JSON.stringify(text));
      assert.equal(isDigest(text), false);
    }
    assert.equal(isDigest(emptySha256), true);
  });
});

describe('hashing', () => {
  it('sha256Digest and digestOf match node:crypto', () => {
    assert.equal(sha256Digest(new Uint8Array()), emptySha256);
    assert.equal(sha256Digest('hello'), `sha256:${createHash('sha256').update('hello').digest('hex')}`);
    assert.equal(digestOf('sha512', 'hello'), `sha512:${createHash('sha512').update('hello').digest('hex')}`);
  });
});

describe('DigestVerifier', () => {
  const data = Buffer.from('the quick brown fox');
  const digest = sha256Digest(data);

  it('accepts matching content fed in pieces and counts it', () => {
    const v = new DigestVerifier(digest, data.length);
    v.update(data.subarray(0, 5));
    v.update(data.subarray(5));
    assert.equal(v.size, data.length);
    assert.equal(v.verify(), digest);
  });

  it('accepts content of unknown size', () => {
    const v = new DigestVerifier(digest);
    v.update(data);
    assert.equal(v.verify(), digest);
  });

  it('names expected and actual digests on a mismatch', () => {
    const v = new DigestVerifier(digest);
    v.update(Buffer.from('something else'));
    assert.throws(() => v.verify(), {
      name: 'InvalidArgument',
      message: `digest mismatch: expected ${digest}, got ${sha256Digest('something else')}`,
    });
  });

  it('refuses a chunk that would pass the expected size, before hashing it', () => {
    const v = new DigestVerifier(digest, 10);
    v.update(data.subarray(0, 8));
    assert.throws(() => v.update(data.subarray(8, 12)), {
      name: 'InvalidArgument',
      message: `size mismatch for ${digest}: expected 10 bytes, got more (at least 12)`,
    });
    assert.equal(v.size, 8);
  });

  it('reports short content as a size mismatch', () => {
    const v = new DigestVerifier(digest, data.length);
    v.update(data.subarray(0, 3));
    assert.throws(() => v.verify(), { message: `size mismatch for ${digest}: expected ${data.length} bytes, got 3` });
  });

  it('refuses an invalid expected digest or size', () => {
    assert.throws(() => new DigestVerifier('sha256:nope'), { name: 'InvalidArgument' });
    for (const size of [-1, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => new DigestVerifier(digest, size), { name: 'InvalidArgument', message: /invalid size/ }, String(size));
    }
  });
});
