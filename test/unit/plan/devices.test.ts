import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  S_IFBLK, S_IFCHR, S_IFIFO, containerDevices, defaultDevices, deviceModeBits,
} from '../../../src/runtime/plan/devices.js';

describe('containerDevices', () => {
  it('gives every container the six default devices', () => {
    assert.deepEqual(containerDevices(undefined).map((d) => d.path),
      ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
    assert.deepEqual(containerDevices([]), defaultDevices);
  });

  it('appends spec devices, filling in mode 0666, owner root and numbers 0', () => {
    const devices = containerDevices([{ type: 'p', path: '/dev/myfifo' }]);
    assert.equal(devices.length, 7);
    assert.deepEqual(devices[6], { path: '/dev/myfifo', type: 'p', major: 0, minor: 0, fileMode: 0o666, uid: 0, gid: 0 });
  });

  it('lets a spec device replace the default of the same path, in place', () => {
    const devices = containerDevices([{ type: 'c', path: '/dev/null', major: 1, minor: 3, fileMode: 0o600, uid: 1000, gid: 1000 }]);
    assert.equal(devices.length, 6);
    assert.deepEqual(devices[0], { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o600, uid: 1000, gid: 1000 });
  });

  it('treats an unbuffered character device ("u") as "c"', () => {
    assert.equal(containerDevices([{ type: 'u', path: '/dev/u', major: 4, minor: 1 }])[6]?.type, 'c');
  });

  it('does not change the shared defaults', () => {
    containerDevices([{ type: 'c', path: '/dev/null', major: 9, minor: 9 }]);
    assert.equal(defaultDevices[0]?.major, 1);
  });
});

describe('deviceModeBits', () => {
  const node = { path: '/dev/x', major: 0, minor: 0, uid: 0, gid: 0 };
  it('combines the file type with the permission bits', () => {
    assert.equal(deviceModeBits({ ...node, type: 'c', fileMode: 0o666 }), S_IFCHR | 0o666);
    assert.equal(deviceModeBits({ ...node, type: 'b', fileMode: 0o640 }), S_IFBLK | 0o640);
    assert.equal(deviceModeBits({ ...node, type: 'p', fileMode: 0o600 }), S_IFIFO | 0o600);
    assert.equal(S_IFCHR, 0o020000);
  });

  it('keeps only the permission bits of fileMode', () => {
    assert.equal(deviceModeBits({ ...node, type: 'c', fileMode: 0o060666 }), 0o020666);
  });
});
