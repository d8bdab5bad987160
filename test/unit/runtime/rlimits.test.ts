import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rlimitInfinity, rlimitNumber, rlimitTypes, rlimitValue } from '../../../src/runtime/rlimits.js';

describe('rlimits', () => {
  it('numbers resources as Linux (asm-generic) does', () => {
    assert.equal(rlimitNumber('RLIMIT_CPU', 'f'), 0);
    assert.equal(rlimitNumber('RLIMIT_NOFILE', 'f'), 7);
    assert.equal(rlimitNumber('RLIMIT_NPROC', 'f'), 6);
    assert.equal(rlimitNumber('RLIMIT_AS', 'f'), 9);
    assert.equal(rlimitNumber('RLIMIT_RTTIME', 'f'), 15);
    assert.equal(rlimitTypes.length, 16);
  });

  it('refuses an unknown type, naming the field and listing the known ones', () => {
    assert.throws(() => rlimitNumber('RLIMIT_nofile', 'process.rlimits[3].type'), {
      name: 'InvalidArgument',
      message: `process.rlimits[3].type: unknown rlimit type "RLIMIT_nofile" (known: ${rlimitTypes.join(', ')})`,
    });
    assert.throws(() => rlimitNumber('toString', 'f'), { name: 'InvalidArgument' });
  });

  it('rlimitValue passes ordinary limits through', () => {
    assert.equal(rlimitValue(0), 0n);
    assert.equal(rlimitValue(1024), 1024n);
    assert.equal(rlimitValue(2 ** 53), 2n ** 53n);
  });

  it('rlimitValue turns 2^64 (how JSON.parse reads 2^64-1) into RLIM_INFINITY', () => {
    assert.equal(rlimitInfinity, 0xffffffffffffffffn);
    assert.equal(rlimitValue(JSON.parse('18446744073709551615')), rlimitInfinity);
    assert.equal(rlimitValue(2 ** 70), rlimitInfinity);
  });

  it('rlimitValue refuses negative and fractional values', () => {
    assert.throws(() => rlimitValue(-1), { name: 'InvalidArgument', message: 'rlimit value -1 is not a non-negative integer' });
    assert.throws(() => rlimitValue(1.5), { name: 'InvalidArgument', message: 'rlimit value 1.5 is not a non-negative integer' });
  });
});
