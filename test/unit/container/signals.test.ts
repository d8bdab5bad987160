import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignal } from '../../../src/runtime/container/signals.js';

describe('parseSignal', () => {
  it('accepts a name with or without SIG, in any case', () => {
    assert.equal(parseSignal('KILL'), 9);
    assert.equal(parseSignal('SIGKILL'), 9);
    assert.equal(parseSignal('term'), 15);
    assert.equal(parseSignal('SigHup'), 1);
    assert.equal(parseSignal('USR1'), 10);
  });

  it('accepts a number, as text or as a number, from 1 to 64', () => {
    assert.equal(parseSignal('9'), 9);
    assert.equal(parseSignal(15), 15);
    assert.equal(parseSignal('1'), 1);
    assert.equal(parseSignal('64'), 64);
  });

  it('refuses numbers outside 1 to 64', () => {
    for (const n of ['0', '65', 0, -9, 100]) {
      assert.throws(() => parseSignal(n), { name: 'InvalidArgument', message: `invalid signal number ${n}: signals are 1 to 64` });
    }
  });

  it('refuses a fractional signal number', () => {
    assert.throws(() => parseSignal(1.5), { name: 'InvalidArgument', message: 'invalid signal number 1.5: signals are 1 to 64' });
  });

  it('refuses unknown names, keeping the text as given', () => {
    assert.throws(() => parseSignal('NOPE'), { name: 'InvalidArgument', message: 'unknown signal "NOPE"' });
    assert.throws(() => parseSignal('-9'), { name: 'InvalidArgument', message: 'unknown signal "-9"' });
    assert.throws(() => parseSignal(''), { name: 'InvalidArgument', message: 'unknown signal ""' });
    assert.throws(() => parseSignal('SIG'), { name: 'InvalidArgument', message: 'unknown signal "SIG"' });
  });
});
