import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseWhiteout, underMetaDirectory } from '../../../../src/images/layers/whiteouts.js';

describe('parseWhiteout', () => {
  it('tells deletions, opaque markers, aufs housekeeping and ordinary names apart', () => {
    assert.deepEqual(parseWhiteout('.wh.passwd', 'e'), { kind: 'remove', name: 'passwd' });
    assert.deepEqual(parseWhiteout('.wh..hidden', 'e'), { kind: 'remove', name: '.hidden' });
    assert.deepEqual(parseWhiteout('.wh..wh..opq', 'e'), { kind: 'opaque' });
    assert.deepEqual(parseWhiteout('.wh..wh.plnk', 'e'), { kind: 'meta' });
    assert.deepEqual(parseWhiteout('.wh..wh.aufs', 'e'), { kind: 'meta' });
    assert.equal(parseWhiteout('passwd', 'e'), undefined);
    assert.equal(parseWhiteout('x.wh.y', 'e'), undefined);
  });

  it('refuses whiteouts that name nothing or the directory itself', () => {
    for (const base of ['.wh.', '.wh..', '.wh...']) {
      assert.throws(() => parseWhiteout(base, 'layer entry a/' + base), {
        name: 'InvalidArgument',
        message: `layer entry a/${base}: whiteout names no file`,
      });
    }
  });
});

describe('underMetaDirectory', () => {
  it('spots entries inside aufs housekeeping directories', () => {
    assert.equal(underMetaDirectory('.wh..wh.plnk/123.456'), true);
    assert.equal(underMetaDirectory('a/.wh..wh.orph/x'), true);
    assert.equal(underMetaDirectory('a/.wh..wh..opq'), false);
    assert.equal(underMetaDirectory('a/b'), false);
  });
});
