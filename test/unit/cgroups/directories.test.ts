import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCgroupMounts, parseProcCgroup } from '../../../src/runtime/cgroups/directories.js';
import { cgroupPathSegments } from '../../../src/runtime/cgroups/index.js';
import { parseCounter } from '../../../src/runtime/cgroups/files.js';
import { UNLIMITED } from '../../../src/runtime/cgroups/stats.js';
import { HYBRID_MOUNTINFO, V2_MOUNTINFO } from './fake-cgroupfs.js';

test('parseCgroupMounts: hybrid layout, controllers separated from flags and names', () => {
  const mounts = parseCgroupMounts(HYBRID_MOUNTINFO);
  assert.deepEqual(mounts.map((m) => [m.fstype, m.mountPoint, m.controllers.join(','), m.name]), [
    ['cgroup2', '/sys/fs/cgroup/unified', '', undefined],
    ['cgroup', '/sys/fs/cgroup/systemd', '', 'systemd'],
    ['cgroup', '/sys/fs/cgroup/cpu,cpuacct', 'cpu,cpuacct', undefined],
    ['cgroup', '/sys/fs/cgroup/cpuset', 'cpuset', undefined],
    ['cgroup', '/sys/fs/cgroup/memory', 'memory', undefined],
    ['cgroup', '/sys/fs/cgroup/devices', 'devices', undefined],
    ['cgroup', '/sys/fs/cgroup/freezer', 'freezer', undefined],
    ['cgroup', '/sys/fs/cgroup/blkio', 'blkio', undefined],
    ['cgroup', '/sys/fs/cgroup/pids', 'pids', undefined],
  ]);
});

test('parseCgroupMounts: pure v2, bind-mounted duplicates and escaped mount points', () => {
  assert.deepEqual(parseCgroupMounts(V2_MOUNTINFO), [{ fstype: 'cgroup2', mountPoint: '/sys/fs/cgroup', root: '/', controllers: [] }]);
  const text = `40 31 0:35 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
41 31 0:36 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
90 80 0:35 /docker /mnt/with\\040space rw shared:3 master:1 - cgroup cgroup rw,cpu
`;
  const mounts = parseCgroupMounts(text);
  assert.deepEqual(mounts.map((m) => m.mountPoint), ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpuacct']);
  const escaped = parseCgroupMounts('90 80 0:35 /docker /mnt/with\\040space rw shared:3 master:1 - cgroup cgroup rw,memory\n');
  assert.deepEqual(escaped, [{ fstype: 'cgroup', mountPoint: '/mnt/with space', root: '/docker', controllers: ['memory'] }]);
});

test('parseProcCgroup keys hierarchies by controller list, name, or "" for v2', () => {
  const own = parseProcCgroup('6:cpu,cpuacct:/a\n1:name=systemd:/b\n0::/c\n');
  assert.deepEqual([...own], [['cpu,cpuacct', '/a'], ['name=systemd', '/b'], ['', '/c']]);
});

test('cgroupPathSegments', () => {
  assert.deepEqual(cgroupPathSegments('/berth/c1'), ['berth', 'c1']);
  assert.deepEqual(cgroupPathSegments('berth//./c1/'), ['berth', 'c1']);
  assert.throws(() => cgroupPathSegments('/a/../../b'), { name: 'InvalidArgument' });
});

test('parseCounter: v1 "no limit" and v2 "max" are UNLIMITED', () => {
  assert.equal(parseCounter('9223372036854771712'), UNLIMITED);
  assert.equal(parseCounter('max'), UNLIMITED);
  assert.equal(parseCounter('-1'), UNLIMITED);
  assert.equal(parseCounter('4096'), 4096);
  assert.equal(parseCounter('garbage'), 0);
});
