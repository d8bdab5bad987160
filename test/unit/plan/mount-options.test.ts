import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MS, parseMountOptions, propagationFlags } from '../../../src/runtime/plan/mount-options.js';

describe('parseMountOptions', () => {
  it('returns nothing for no options', () => {
    assert.deepEqual(parseMountOptions(undefined), { flags: 0n, propagation: 0n, data: '' });
    assert.deepEqual(parseMountOptions([]), { flags: 0n, propagation: 0n, data: '' });
  });

  it('turns the generic options into mount(2) flags', () => {
    assert.equal(parseMountOptions(['ro', 'nosuid', 'nodev', 'noexec']).flags, MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
    assert.equal(parseMountOptions(['rbind']).flags, MS.BIND | MS.REC);
    assert.equal(parseMountOptions(['relatime', 'strictatime', 'nosymfollow', 'sync', 'dirsync']).flags,
      MS.RELATIME | MS.STRICTATIME | MS.NOSYMFOLLOW | MS.SYNCHRONOUS | MS.DIRSYNC);
    assert.equal(MS.NOSUID, 0x2n);
    assert.equal(MS.BIND | MS.REC, 0x5000n);
  });

  it('lets a later option undo an earlier one', () => {
    assert.equal(parseMountOptions(['ro', 'rw']).flags, 0n);
    assert.equal(parseMountOptions(['rw', 'ro']).flags, MS.RDONLY);
    assert.equal(parseMountOptions(['nosuid', 'noexec', 'exec', 'suid']).flags, 0n);
    assert.equal(parseMountOptions(['noatime', 'atime', 'nodev']).flags, MS.NODEV);
  });

  it('collects propagation types apart from the flags', () => {
    assert.deepEqual(parseMountOptions(['bind', 'rprivate']), { flags: MS.BIND, propagation: MS.PRIVATE | MS.REC, data: '' });
    assert.equal(parseMountOptions(['slave']).propagation, MS.SLAVE);
    assert.equal(parseMountOptions(['runbindable']).propagation, MS.UNBINDABLE | MS.REC);
  });

  it('passes every other option to the filesystem as data, in order', () => {
    assert.deepEqual(parseMountOptions(['nosuid', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']),
      { flags: MS.NOSUID, propagation: 0n, data: 'newinstance,ptmxmode=0666,mode=0620,gid=5' });
  });

  it('does not mistake inherited object properties for options', () => {
    assert.deepEqual(parseMountOptions(['constructor', 'toString']), { flags: 0n, propagation: 0n, data: 'constructor,toString' });
  });
});

describe('propagationFlags', () => {
  it('parses each propagation name', () => {
    assert.equal(propagationFlags('rslave', 'f'), MS.SLAVE | MS.REC);
    assert.equal(propagationFlags('shared', 'f'), MS.SHARED);
    assert.equal(propagationFlags('private', 'f'), MS.PRIVATE);
  });

  it('names the field and the choices for an unknown one', () => {
    assert.throws(() => propagationFlags('ro', 'linux.rootfsPropagation'), {
      name: 'InvalidArgument',
      message: 'linux.rootfsPropagation: "ro" is not a propagation (private, rprivate, shared, rshared, slave, rslave, unbindable, runbindable)',
    });
  });

  it('does not take inherited object properties for propagation names', () => {
    assert.throws(() => propagationFlags('toString', 'linux.rootfsPropagation'), { name: 'InvalidArgument' });
  });
});
