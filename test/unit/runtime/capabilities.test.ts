import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  allCapabilities, capabilityMask, capabilityNames, capabilityNumber, capabilitySetMasks, checkCapabilityName,
  dockerDefaultCapabilities, hostLastCapability, lastKnownCapability,
} from '../../../src/runtime/capabilities.js';

describe('capabilities', () => {
  it('numbers capabilities as the kernel does', () => {
    assert.equal(capabilityNumber('CAP_CHOWN'), 0);
    assert.equal(capabilityNumber('CAP_KILL'), 5);
    assert.equal(capabilityNumber('CAP_SYS_ADMIN'), 21);
    assert.equal(capabilityNumber('CAP_AUDIT_READ'), 37);
    assert.equal(capabilityNumber('CAP_CHECKPOINT_RESTORE'), 40);
    assert.equal(capabilityNumber('CAP_NOPE'), undefined);
    assert.equal(capabilityNumber('cap_kill'), undefined);
    assert.equal(lastKnownCapability, 40);
    assert.equal(new Set(allCapabilities).size, allCapabilities.length);
  });

  it('knows every Docker default capability', () => {
    assert.equal(dockerDefaultCapabilities.length, 14);
    for (const name of dockerDefaultCapabilities) assert.notEqual(capabilityNumber(name), undefined, name);
  });

  it('checkCapabilityName accepts known names and explains the rest', () => {
    assert.doesNotThrow(() => checkCapabilityName('CAP_NET_ADMIN', 'f'));
    assert.throws(() => checkCapabilityName('net_admin', 'process.capabilities.bounding[2]'), {
      name: 'InvalidArgument', message: 'process.capabilities.bounding[2]: unknown capability "net_admin" (did you mean "CAP_NET_ADMIN"?)',
    });
    assert.throws(() => checkCapabilityName('CAP_FLY', 'f'), { name: 'InvalidArgument', message: 'f: unknown capability "CAP_FLY"' });
    assert.throws(() => checkCapabilityName(5, 'f'), { name: 'InvalidArgument', message: 'f: capability names must be strings, got 5' });
  });

  it('capabilityMask sets one bit per capability', () => {
    assert.equal(capabilityMask(undefined, 'f', 40), 0n);
    assert.equal(capabilityMask([], 'f', 40), 0n);
    assert.equal(capabilityMask(['CAP_CHOWN', 'CAP_KILL', 'CAP_KILL'], 'f', 40), 0b100001n);
    assert.equal(capabilityMask(['CAP_CHECKPOINT_RESTORE'], 'f', 40), 1n << 40n);
  });

  it('capabilityMask leaves out capabilities the kernel does not have, without an error', () => {
    assert.equal(capabilityMask(['CAP_KILL', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE'], 'f', 38), 1n << 5n);
  });

  it('capabilityMask refuses an unknown name or a non-array', () => {
    assert.throws(() => capabilityMask(['CAP_KILL', 'KILL'], 'process.capabilities.effective', 40), {
      name: 'InvalidArgument', message: 'process.capabilities.effective: unknown capability "KILL" (did you mean "CAP_KILL"?)',
    });
    assert.throws(() => capabilityMask('CAP_KILL' as unknown as string[], 'process.capabilities.effective', 40), {
      name: 'InvalidArgument', message: 'process.capabilities.effective must be an array of capability names',
    });
  });

  it('capabilityNames lists set bits lowest first, naming unknown bits by number', () => {
    assert.deepEqual(capabilityNames(0n), []);
    assert.deepEqual(capabilityNames(0b100001n), ['CAP_CHOWN', 'CAP_KILL']);
    assert.deepEqual(capabilityNames((1n << 41n) | (1n << 21n)), ['CAP_SYS_ADMIN', '41']);
    assert.deepEqual(capabilityNames(capabilityMask(allCapabilities, 'f', 40)), allCapabilities);
  });

  it('capabilitySetMasks gives all five sets, naming the set in errors', () => {
    assert.deepEqual(capabilitySetMasks({ bounding: ['CAP_KILL'], ambient: ['CAP_CHOWN'] }, 'process.capabilities', 40), {
      bounding: 1n << 5n, effective: 0n, inheritable: 0n, permitted: 0n, ambient: 1n,
    });
    assert.deepEqual(capabilitySetMasks(undefined, 'x', 40), { bounding: 0n, effective: 0n, inheritable: 0n, permitted: 0n, ambient: 0n });
    assert.throws(() => capabilitySetMasks({ inheritable: ['X'] }, 'exec.capabilities', 40), {
      message: 'exec.capabilities.inheritable: unknown capability "X"',
    });
  });

  it('hostLastCapability reads /proc/sys/kernel/cap_last_cap', () => {
    let expected = lastKnownCapability;
    try {
      expected = Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'), 10);
    } catch {
      // no /proc: the highest known capability is assumed
    }
    assert.equal(hostLastCapability(), expected);
  });
});
