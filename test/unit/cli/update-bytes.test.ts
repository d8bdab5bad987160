import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bytes } from '../../../src/cli/runtime/update-command.js';

describe('bytes (update size flags)', () => {
  it('reads plain byte counts', () => {
    assert.equal(bytes('1048576', '--memory'), 1048576);
    assert.equal(bytes('0', '--memory'), 0);
  });

  it('reads binary units, in either case, with optional "b", "ib" or "iB"', () => {
    assert.equal(bytes('512m', '--memory'), 512 * 1024 ** 2);
    assert.equal(bytes('1g', '--memory'), 1024 ** 3);
    assert.equal(bytes('1G', '--memory'), 1024 ** 3);
    assert.equal(bytes('4k', '--memory'), 4096);
    assert.equal(bytes('4kb', '--memory'), 4096);
    assert.equal(bytes('2MiB', '--memory'), 2 * 1024 ** 2);
    assert.equal(bytes('1t', '--memory'), 1024 ** 4);
    assert.equal(bytes('10b', '--memory'), 10);
  });

  it('accepts fractions, rounding to a whole byte, and surrounding spaces', () => {
    assert.equal(bytes('1.5k', '--memory'), 1536);
    assert.equal(bytes('0.5g', '--memory'), 512 * 1024 ** 2);
    assert.equal(bytes(' 2 m ', '--memory'), 2 * 1024 ** 2);
  });

  it('takes -1 as "no limit"', () => {
    assert.equal(bytes('-1', '--memory-swap'), -1);
  });

  it('refuses anything else, naming the flag', () => {
    for (const text of ['', 'abc', '-2', '1x', '1.g', 'm', '1 g b', '-1m']) {
      assert.throws(() => bytes(text, '--memory-reservation'), {
        name: 'InvalidArgument',
        message: `update: --memory-reservation: "${text}" is not a size (examples: 1048576, 512m, 1g)`,
      }, JSON.stringify(text));
    }
  });
});
