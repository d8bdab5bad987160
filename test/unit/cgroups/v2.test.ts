import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { openCgroup, UNLIMITED, type Cgroup } from '../../../src/runtime/cgroups/index.js';
import { sharesToWeight } from '../../../src/runtime/cgroups/v2/cpu.js';
import { blkioWeightToIoWeight } from '../../../src/runtime/cgroups/v2/io.js';
import { FakeHost } from './fake-cgroupfs.js';

const MiB = 1024 * 1024;
let host: FakeHost;
const open = (path = '/berth/c1', createdDirectories?: string[]): Promise<Cgroup> =>
  openCgroup(path, { fsRoot: host.root, cgroupfs: host, ...(createdDirectories ? { createdDirectories } : {}) });

beforeEach(() => {
  host = new FakeHost({ version: 'v2', cgroupKill: true });
});
afterEach(() => host.cleanup());

test('v2: one hierarchy, one procs file', async () => {
  const cg = await open();
  assert.equal(cg.version, 2);
  assert.deepEqual(cg.procsFiles(), [host.path('berth/c1/cgroup.procs')]);
  await cg.create({});
  assert.deepEqual(cg.hierarchies(), [{
    fstype: 'cgroup2', mountName: '', options: '', hostRoot: host.cgroupRoot, hostPath: host.path('berth/c1'),
    controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'],
  }]);
});

test('relative paths go below the runtime\'s own cgroup', async () => {
  const cg = await open('c1');
  assert.deepEqual(cg.procsFiles(), [host.path('user.slice/user-0.slice/session-3.scope/c1/cgroup.procs')]);
});

test('create enables the controllers in every ancestor\'s subtree_control, not in the container\'s', async () => {
  const cg = await open();
  await cg.create({});
  const all = '+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc';
  assert.deepEqual(host.writesTo('cgroup.subtree_control'), [all]);
  assert.deepEqual(host.writesTo('berth/cgroup.subtree_control'), [all]);
  assert.deepEqual(host.writesTo('berth/c1/cgroup.subtree_control'), []);
  assert.equal(host.read('berth/c1/cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc');
  assert.deepEqual(cg.createdDirectories(), [host.path('berth'), host.path('berth/c1')]);
});

test('memory: memory.max, memory.low and memory.swap.max = swap - limit', async () => {
  const cg = await open();
  await cg.create({ memory: { limit: 64 * MiB, swap: 96 * MiB, reservation: 32 * MiB, swappiness: 10, kernel: MiB } });
  assert.equal(host.read('berth/c1/memory.max'), String(64 * MiB));
  assert.equal(host.read('berth/c1/memory.swap.max'), String(32 * MiB));
  assert.equal(host.read('berth/c1/memory.low'), String(32 * MiB));
  await cg.update({ memory: { limit: -1 } });
  assert.equal(host.read('berth/c1/memory.max'), 'max');
  assert.equal(host.read('berth/c1/memory.swap.max'), 'max');
  await cg.update({ memory: { limit: 128 * MiB, swap: -1 } });
  assert.equal(host.read('berth/c1/memory.max'), String(128 * MiB));
  assert.equal(host.read('berth/c1/memory.swap.max'), 'max');
  await assert.rejects(cg.update({ memory: { swap: 10 * MiB } }),
    { name: 'InvalidArgument', message: /^linux\.resources\.memory\.swap: .*needs a memory limit/ });
});

test('cpu: shares become cpu.weight by runc\'s conversion, quota and period cpu.max', async () => {
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(1024), 39);
  assert.equal(sharesToWeight(512), 20);
  assert.equal(sharesToWeight(262144), 10000);
  const cg = await open();
  await cg.create({ cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0-1', mems: '0' } });
  assert.equal(host.read('berth/c1/cpu.weight'), '20');
  assert.equal(host.read('berth/c1/cpu.max'), '50000 100000');
  assert.equal(host.read('berth/c1/cpuset.cpus'), '0-1');
  assert.equal(host.read('berth/c1/cpuset.mems'), '0');
  await cg.update({ cpu: { period: 200000 } }); // the quota stays
  assert.equal(host.read('berth/c1/cpu.max'), '50000 200000');
  await cg.update({ cpu: { quota: -1 } });
  assert.equal(host.read('berth/c1/cpu.max'), 'max 200000');
  await assert.rejects(cg.update({ cpu: { realtimeRuntime: 1000 } }),
    { name: 'Unsupported', message: /^linux\.resources\.cpu\.realtimeRuntime: / });
});

test('pids and io: pids.max, io.weight conversion and one io.max line per device', async () => {
  assert.equal(blkioWeightToIoWeight(10), 1);
  assert.equal(blkioWeightToIoWeight(500), 4950);
  assert.equal(blkioWeightToIoWeight(1000), 10000);
  const cg = await open();
  await cg.create({
    pids: { limit: 0 },
    blockIO: {
      weight: 500,
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
      throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 2097152 }],
      throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }, { major: 8, minor: 16, rate: 50 }],
      throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 0 }],
    },
  });
  assert.equal(host.read('berth/c1/pids.max'), 'max');
  assert.deepEqual(host.writesTo('berth/c1/io.weight'), ['4950']);
  assert.deepEqual(host.writesTo('berth/c1/io.max'), ['8:0 rbps=1048576 wbps=2097152 riops=100 wiops=max', '8:16 riops=50']);
  await cg.update({ pids: { limit: 20 } });
  assert.equal(host.read('berth/c1/pids.max'), '20');
});

test('unified: written as-is and last, so it overrides derived values; bad keys are refused', async () => {
  const cg = await open();
  await cg.create({ cpu: { shares: 1024 }, unified: { 'cpu.weight': '300', 'memory.high': '50000000' } });
  assert.deepEqual(host.writesTo('berth/c1/cpu.weight'), ['39', '300']);
  assert.equal(host.read('berth/c1/memory.high'), '50000000');
  await assert.rejects(cg.update({ unified: { '../cpu.weight': '1' } }), { name: 'InvalidArgument', message: /^linux\.resources\.unified: "\.\.\/cpu\.weight"/ });
  await assert.rejects(cg.update({ unified: { 'memory.nonsense': '1' } }), { name: 'InvalidArgument', message: /^linux\.resources\.unified\["memory\.nonsense"\]: / });
});

test('a controller the parent does not enable is Unsupported, naming the field; nothing is left', async () => {
  host.set('cgroup.controllers', 'cpu memory');
  const cg = await open();
  await assert.rejects(cg.create({ memory: { limit: MiB }, pids: { limit: 10 } }),
    { name: 'Unsupported', message: /^linux\.resources\.pids: the pids controller/ });
  assert.deepEqual(host.directories(), []);
});

test('devices rules are skipped on v2 (no eBPF yet), not refused', async () => {
  const cg = await open();
  await cg.create({ devices: [{ allow: false, access: 'rwm' }] });
});

test('freeze waits for cgroup.events; isFrozen reads cgroup.freeze', async () => {
  const cg = await open();
  await cg.create({});
  await cg.freeze();
  assert.equal(host.read('berth/c1/cgroup.freeze'), '1');
  assert.equal(await cg.isFrozen(), true);
  await cg.thaw();
  assert.equal(await cg.isFrozen(), false);
});

test('killAll uses cgroup.kill for SIGKILL, freeze-signal-thaw otherwise', async () => {
  const cg = await open();
  await cg.create({});
  await cg.killAll('SIGKILL');
  assert.deepEqual(host.writesTo('berth/c1/cgroup.kill'), ['1']);
  await cg.killAll('SIGTERM');
  assert.deepEqual(host.writesTo('berth/c1/cgroup.freeze'), ['1', '0']);
});

test('stats parse the v2 files, swap reported as memory+swap', async () => {
  const cg = await open();
  await cg.create({ memory: { limit: 64 * MiB, swap: 96 * MiB }, pids: { limit: 20 } });
  host.set('berth/c1/memory.current', '1048576\n');
  host.set('berth/c1/memory.peak', '2097152\n');
  host.set('berth/c1/memory.swap.current', '4096\n');
  host.set('berth/c1/memory.stat', 'anon 8192\nfile 4096\nkernel 512\n');
  host.set('berth/c1/memory.events', 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n');
  host.set('berth/c1/cpu.stat', 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\nthrottled_usec 30\n');
  host.set('berth/c1/pids.current', '3\n');
  host.set('berth/c1/io.stat', '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n253:1 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n');
  const s = await cg.stats();
  assert.equal(s.version, 2);
  assert.deepEqual(s.memory.usage, { usage: 1048576, max: 2097152, limit: 64 * MiB, failcnt: 1 });
  assert.deepEqual(s.memory.swap, { usage: 1048576 + 4096, limit: 96 * MiB });
  assert.equal(s.memory.cache, 4096);
  assert.deepEqual(s.memory.raw, { anon: 8192, file: 4096, kernel: 512 });
  assert.equal(s.memory.oomKills, 1);
  assert.equal(await cg.oomKillCount(), 1);
  assert.deepEqual(s.cpu, {
    usage: { total: 1_500_000, user: 1_000_000, kernel: 500_000 },
    throttling: { periods: 7, throttledPeriods: 2, throttledTime: 30_000 },
  });
  assert.deepEqual(s.pids, { current: 3, limit: 20 });
  assert.deepEqual(s.blkio.ioServiceBytesRecursive, [
    { major: 8, minor: 0, op: 'Read', value: 4096 }, { major: 8, minor: 0, op: 'Write', value: 8192 },
    { major: 253, minor: 1, op: 'Read', value: 1 }, { major: 253, minor: 1, op: 'Write', value: 2 },
  ]);
  assert.deepEqual(s.blkio.ioServicedRecursive.map((e) => e.value), [1, 2, 3, 4]);

  await cg.update({ memory: { limit: -1 } });
  const unlimited = await cg.stats();
  assert.equal(unlimited.memory.usage.limit, UNLIMITED);
  assert.equal(unlimited.memory.swap?.limit, UNLIMITED);
});

test('destroy removes the container directory, and berth\'s parent once the last container leaves it', async () => {
  const a = await open('/berth/a');
  await a.create({});
  const b = await open('/berth/b');
  await b.create({});
  await (await open('/berth/a', a.createdDirectories())).destroy();
  assert.deepEqual(host.directories(), ['berth', 'berth/b']);
  // b did not make /berth, but it leaves it empty: nothing of berth's stays behind.
  await (await open('/berth/b', b.createdDirectories())).destroy();
  assert.deepEqual(host.directories(), []);
  await (await open('/berth/a', a.createdDirectories())).destroy();
  assert.deepEqual(host.directories(), []);
});

test('destroy leaves a parent it did not make outside berth\'s own', async () => {
  await host.mkdir(host.path('mine')); // the user's own cgroup, there before berth
  const c = await open('/mine/c');
  await c.create({});
  await (await open('/mine/c', c.createdDirectories())).destroy();
  assert.deepEqual(host.directories(), ['mine']);
});
