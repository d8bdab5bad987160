import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { openCgroup, UNLIMITED, type Cgroup } from '../../../src/runtime/cgroups/index.js';
import { FakeHost } from './fake-cgroupfs.js';

const MiB = 1024 * 1024;
const CONTROLLER_DIRS = ['cpu,cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'];
const ALL_DIRS = [...CONTROLLER_DIRS, 'systemd', 'unified'];

let host: FakeHost;
const open = (path = '/berth/c1', createdDirectories?: string[]): Promise<Cgroup> =>
  openCgroup(path, { fsRoot: host.root, cgroupfs: host, ...(createdDirectories ? { createdDirectories } : {}) });

beforeEach(() => {
  host = new FakeHost({ version: 'hybrid' });
});
afterEach(() => host.cleanup());

test('hybrid: procs files list controller hierarchies in mountinfo order, then name=systemd, then unified', async () => {
  const cg = await open();
  assert.equal(cg.version, 1);
  assert.deepEqual(cg.procsFiles(), ALL_DIRS.map((d) => host.path(`${d}/berth/c1/cgroup.procs`)));
  const h = cg.hierarchies();
  assert.deepEqual(h.map((x) => [x.fstype, x.mountName, x.options]), [
    ['cgroup', 'cpu,cpuacct', 'cpu,cpuacct'], ['cgroup', 'cpuset', 'cpuset'], ['cgroup', 'memory', 'memory'],
    ['cgroup', 'devices', 'devices'], ['cgroup', 'freezer', 'freezer'], ['cgroup', 'blkio', 'blkio'], ['cgroup', 'pids', 'pids'],
    ['cgroup', 'systemd', 'name=systemd'], ['cgroup2', 'unified', ''],
  ]);
  assert.deepEqual(h[0]!.controllers, ['cpu', 'cpuacct']);
  assert.equal(h[2]!.hostRoot, host.path('memory'));
  assert.equal(h[2]!.hostPath, host.path('memory/berth/c1'));
});

test('relative cgroupsPath is placed below the runtime\'s own cgroup in each hierarchy', async () => {
  const cg = await open('c1');
  const files = cg.procsFiles();
  assert.equal(files[2], host.path('memory/process_api/abc/c1/cgroup.procs'));
  assert.equal(files[1], host.path('cpuset/c1/cgroup.procs'));
  assert.equal(files[7], host.path('systemd/user.slice/session-1.scope/c1/cgroup.procs'));
  assert.equal(files[8], host.path('unified/user.slice/session-1.scope/c1/cgroup.procs'));
});

test('cgroupsPath escapes and the root are refused', async () => {
  await assert.rejects(open('/berth/../../etc'), { name: 'InvalidArgument', message: /linux\.cgroupsPath: .*\.\./ });
  await assert.rejects(open('../x'), { name: 'InvalidArgument', message: /linux\.cgroupsPath/ });
  await assert.rejects(open('/'), { name: 'InvalidArgument', message: /root cgroup/ });
  await assert.rejects(open(''), { name: 'InvalidArgument' });
  await assert.rejects(open('system.slice:berth:c1'), { name: 'Unsupported', message: /systemd/ });
});

test('create makes every directory and writes each limit to its file', async () => {
  const cg = await open();
  await cg.create({
    memory: { limit: 64 * MiB, swap: 128 * MiB, reservation: 32 * MiB, swappiness: 10, disableOOMKiller: true },
    cpu: { shares: 512, quota: 50000, period: 100000, cpus: '1-2', mems: '0' },
    pids: { limit: 20 },
  });
  for (const d of ALL_DIRS) assert.ok(host.exists(`${d}/berth/c1/cgroup.procs`), d);
  assert.equal(host.read('memory/berth/c1/memory.limit_in_bytes'), String(64 * MiB));
  assert.equal(host.read('memory/berth/c1/memory.memsw.limit_in_bytes'), String(128 * MiB));
  assert.equal(host.read('memory/berth/c1/memory.soft_limit_in_bytes'), String(32 * MiB));
  assert.equal(host.read('memory/berth/c1/memory.swappiness'), '10');
  assert.equal(host.read('memory/berth/c1/memory.oom_control'), '1');
  assert.equal(host.read('cpu,cpuacct/berth/c1/cpu.shares'), '512');
  assert.equal(host.read('cpu,cpuacct/berth/c1/cpu.cfs_quota_us'), '50000');
  assert.equal(host.read('cpu,cpuacct/berth/c1/cpu.cfs_period_us'), '100000');
  assert.equal(host.read('cpuset/berth/c1/cpuset.cpus'), '1-2');
  assert.equal(host.read('cpuset/berth/c1/cpuset.mems'), '0');
  assert.equal(host.read('pids/berth/c1/pids.max'), '20');
  assert.deepEqual(cg.createdDirectories(), ALL_DIRS.flatMap((d) => [host.path(`${d}/berth`), host.path(`${d}/berth/c1`)]));
});

test('cpuset: every new directory on the path inherits the parent\'s cpus and mems before anything joins', async () => {
  const cg = await open('/berth/deep/c1');
  await cg.create({});
  for (const dir of ['cpuset/berth', 'cpuset/berth/deep', 'cpuset/berth/deep/c1']) {
    assert.equal(host.read(`${dir}/cpuset.cpus`), '0-3', dir);
    assert.equal(host.read(`${dir}/cpuset.mems`), '0', dir);
  }
  // Inherited top-down: the parent is filled before its child.
  assert.deepEqual(host.writes.filter((w) => w.file.endsWith('cpuset.cpus')).map((w) => w.file),
    ['cpuset/berth/cpuset.cpus', 'cpuset/berth/deep/cpuset.cpus', 'cpuset/berth/deep/c1/cpuset.cpus']);
});

test('memory and swap are written in the order the kernel accepts, raising and lowering', async () => {
  const cg = await open();
  await cg.create({ memory: { limit: 64 * MiB, swap: 128 * MiB } });
  const order = () => host.writes.filter((w) => w.file.startsWith('memory/') && /limit_in_bytes$/.test(w.file))
    .map((w) => `${w.file.split('/').pop()}=${w.data}`);

  host.writes.length = 0;
  await cg.update({ memory: { limit: 256 * MiB, swap: 512 * MiB } }); // raise: memsw first
  assert.deepEqual(order(), [`memory.memsw.limit_in_bytes=${512 * MiB}`, `memory.limit_in_bytes=${256 * MiB}`]);

  host.writes.length = 0;
  await cg.update({ memory: { limit: 32 * MiB, swap: 48 * MiB } }); // lower: limit first
  assert.deepEqual(order(), [`memory.limit_in_bytes=${32 * MiB}`, `memory.memsw.limit_in_bytes=${48 * MiB}`]);

  host.writes.length = 0;
  await cg.update({ memory: { limit: -1 } }); // unlimited memory lifts swap too, memsw first
  assert.deepEqual(order(), ['memory.memsw.limit_in_bytes=-1', 'memory.limit_in_bytes=-1']);

  host.writes.length = 0;
  await cg.update({ memory: { limit: 16 * MiB } }); // no swap given: memsw untouched
  assert.deepEqual(order(), [`memory.limit_in_bytes=${16 * MiB}`]);
});

test('swap without swap accounting is refused, lifting it is a no-op', async () => {
  host.cleanup();
  host = new FakeHost({ version: 'hybrid', swapAccounting: false });
  await assert.rejects((await open()).create({ memory: { limit: MiB, swap: 2 * MiB } }),
    { name: 'Unsupported', message: /^linux\.resources\.memory\.swap: / });
  assert.deepEqual(host.directories(), [...ALL_DIRS].sort());
  await (await open()).create({ memory: { limit: -1, swap: -1 } });
});

test('pids: -1 and 0 mean max', async () => {
  const cg = await open();
  await cg.create({ pids: { limit: 0 } });
  assert.equal(host.read('pids/berth/c1/pids.max'), 'max');
  await cg.update({ pids: { limit: 5 } });
  assert.equal(host.read('pids/berth/c1/pids.max'), '5');
  await cg.update({ pids: { limit: -1 } });
  assert.equal(host.read('pids/berth/c1/pids.max'), 'max');
});

test('blkio: weight goes to BFQ\'s file, devices as "major:minor value", one rule per write', async () => {
  const cg = await open();
  await cg.create({
    blockIO: {
      weight: 500,
      weightDevice: [{ major: 8, minor: 0, weight: 300 }],
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }, { major: 8, minor: 16, rate: 2097152 }],
      throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 4096 }],
      throttleReadIOPSDevice: [{ major: 253, minor: 1, rate: 100 }],
      throttleWriteIOPSDevice: [{ major: 253, minor: 1, rate: 200 }],
    },
  });
  assert.deepEqual(host.writesTo('blkio/berth/c1/blkio.bfq.weight'), ['500']);
  assert.deepEqual(host.writesTo('blkio/berth/c1/blkio.bfq.weight_device'), ['8:0 300']);
  assert.deepEqual(host.writesTo('blkio/berth/c1/blkio.throttle.read_bps_device'), ['8:0 1048576', '8:16 2097152']);
  assert.deepEqual(host.writesTo('blkio/berth/c1/blkio.throttle.write_bps_device'), ['8:0 4096']);
  assert.deepEqual(host.writesTo('blkio/berth/c1/blkio.throttle.read_iops_device'), ['253:1 100']);
  assert.deepEqual(host.writesTo('blkio/berth/c1/blkio.throttle.write_iops_device'), ['253:1 200']);
  // leaf weights went away with CFQ: saying so beats ignoring them.
  await assert.rejects(cg.update({ blockIO: { leafWeight: 100 } }), { name: 'Unsupported', message: /^linux\.resources\.blockIO\.leafWeight: / });
});

test('devices: deny everything first, then the spec\'s rules, then the default devices', async () => {
  const cg = await open();
  await cg.create({
    devices: [
      { allow: false, access: 'rwm' },
      { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
      { allow: true, type: 'b', major: 8, minor: null, access: 'r' },
    ],
  });
  const log = host.writes.filter((w) => w.file.startsWith('devices/')).map((w) => `${w.file.split('.').pop()} ${w.data}`);
  assert.deepEqual(log.slice(0, 4), ['deny a', 'deny a', 'allow c 10:229 rw', 'allow b 8:* r']);
  assert.ok(log.includes('allow c 1:3 rwm'));
  assert.ok(log.includes('allow c 136:* rwm'));
  assert.ok(log.includes('allow c *:* m'));
});

test('invalid values are refused naming the field, before anything is made', async () => {
  const cg = await open();
  const cases: [Parameters<Cgroup['create']>[0], RegExp][] = [
    [{ memory: { limit: -5 } }, /^linux\.resources\.memory\.limit: -5/],
    [{ memory: { limit: 64 * MiB, swap: 32 * MiB } }, /^linux\.resources\.memory\.swap: .*below/],
    [{ memory: { swappiness: 101 } }, /^linux\.resources\.memory\.swappiness: 101/],
    [{ cpu: { shares: 1 } }, /^linux\.resources\.cpu\.shares: 1/],
    [{ cpu: { cpus: '0-a' } }, /^linux\.resources\.cpu\.cpus: "0-a"/],
    [{ pids: { limit: -2 } }, /^linux\.resources\.pids\.limit: -2/],
    [{ blockIO: { weight: 5 } }, /^linux\.resources\.blockIO\.weight: 5/],
    [{ blockIO: { throttleReadBpsDevice: [{ major: -1, minor: 0, rate: 1 }] } }, /^linux\.resources\.blockIO\.throttleReadBpsDevice\[0\]\.major/],
    [{ devices: [{ allow: true, type: 'c', access: 'rwx' }] }, /^linux\.resources\.devices\[0\]\.access/],
  ];
  for (const [resources, message] of cases) {
    await assert.rejects(cg.create(resources), { name: 'InvalidArgument', message }, JSON.stringify(resources));
  }
  await assert.rejects(cg.create({ unified: { 'memory.high': '1' } }), { name: 'Unsupported', message: /^linux\.resources\.unified: / });
  assert.deepEqual(host.directories(), [...ALL_DIRS].sort());
});

test('a value the kernel refuses fails naming the field and removes what create made', async () => {
  mkdirSync(host.path('memory/berth')); // a parent that existed before stays
  const cg = await open();
  await assert.rejects(cg.create({ memory: { limit: 64 * MiB }, cpu: { quota: 500 } }),
    { name: 'InvalidArgument', message: /^linux\.resources\.cpu\.quota: the kernel refused "500"/ });
  assert.deepEqual(host.directories(), [...ALL_DIRS, 'memory/berth'].sort());
  assert.deepEqual(cg.createdDirectories(), []);
});

test('freeze, thaw and isFrozen go through freezer.state', async () => {
  const cg = await open();
  await cg.create({});
  assert.equal(await cg.isFrozen(), false);
  await cg.freeze();
  assert.equal(host.read('freezer/berth/c1/freezer.state'), 'FROZEN\n');
  assert.equal(await cg.isFrozen(), true);
  await cg.thaw();
  assert.equal(await cg.isFrozen(), false);
  assert.deepEqual(host.writesTo('freezer/berth/c1/freezer.state'), ['FROZEN', 'THAWED']);
});

test('pids() reads cgroup.procs of the container and of its child cgroups', async () => {
  const cg = await open();
  await cg.create({});
  host.set('memory/berth/c1/cgroup.procs', '300\n100\n');
  mkdirSync(host.path('memory/berth/c1/sub'));
  writeFileSync(host.path('memory/berth/c1/sub/cgroup.procs'), '200\n');
  host.set('pids/berth/c1/cgroup.procs', '100\n');
  assert.deepEqual(await cg.pids(), [100, 200, 300]);
  host.set('memory/berth/c1/cgroup.procs', '');
  host.set('memory/berth/c1/sub/cgroup.procs', '');
  host.set('pids/berth/c1/cgroup.procs', '');
});

test('stats parse the v1 files', async () => {
  const cg = await open();
  await cg.create({ memory: { limit: 64 * MiB } });
  const c = (f: string, s: string) => host.set(`${f.split('.')[0] === 'cpuacct' || f.startsWith('cpu.') ? 'cpu,cpuacct' : f.split('.')[0]}/berth/c1/${f}`, s);
  c('memory.usage_in_bytes', '1048576\n');
  c('memory.max_usage_in_bytes', '2097152\n');
  c('memory.failcnt', '3\n');
  c('memory.memsw.usage_in_bytes', '1572864\n');
  c('memory.stat', 'cache 4096\nrss 8192\ntotal_cache 4096\n');
  c('memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  c('cpuacct.usage', '123456789\n');
  c('cpuacct.usage_percpu', '100000000 23456789 0 0 \n');
  c('cpuacct.stat', 'user 7\nsystem 3\n');
  c('cpu.stat', 'nr_periods 10\nnr_throttled 4\nthrottled_time 5000000\nnr_bursts 0\n');
  c('pids.current', '2\n');
  c('blkio.throttle.io_service_bytes_recursive', '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n8:0 Total 12288\nTotal 12288\n');
  c('blkio.throttle.io_serviced_recursive', '8:0 Read 1\n8:0 Write 2\nTotal 3\n');

  const s = await cg.stats();
  assert.equal(s.version, 1);
  assert.deepEqual(s.memory.usage, { usage: 1048576, max: 2097152, limit: 64 * MiB, failcnt: 3 });
  assert.deepEqual(s.memory.swap, { usage: 1572864, max: 0, limit: UNLIMITED, failcnt: 0 });
  assert.equal(s.memory.cache, 4096);
  assert.deepEqual(s.memory.raw, { cache: 4096, rss: 8192, total_cache: 4096 });
  assert.equal(s.memory.oomKills, 2);
  assert.equal(await cg.oomKillCount(), 2);
  assert.deepEqual(s.cpu.usage, { total: 123456789, percpu: [100000000, 23456789, 0, 0], user: 70_000_000, kernel: 30_000_000 });
  assert.deepEqual(s.cpu.throttling, { periods: 10, throttledPeriods: 4, throttledTime: 5000000 });
  assert.deepEqual(s.pids, { current: 2, limit: UNLIMITED });
  assert.equal(s.blkio.ioServiceBytesRecursive.length, 6);
  assert.deepEqual(s.blkio.ioServiceBytesRecursive[0], { major: 8, minor: 0, op: 'Read', value: 4096 });
  assert.deepEqual(s.blkio.ioServicedRecursive, [
    { major: 8, minor: 0, op: 'Read', value: 1 }, { major: 8, minor: 0, op: 'Write', value: 2 },
  ]);
});

test('stats of a cgroup whose files are missing are zeros, not an error', async () => {
  const cg = await open('/never/made');
  const s = await cg.stats();
  assert.equal(s.memory.usage.usage, 0);
  assert.equal(s.cpu.usage.total, 0);
  assert.deepEqual(s.blkio.ioServiceBytesRecursive, []);
  assert.equal(await cg.oomKillCount(), 0);
});

test('destroy removes the container\'s directories, its parents, and berth\'s parent once empty', async () => {
  const a = await open('/berth/a');
  await a.create({});
  const b = await open('/berth/b');
  await b.create({});
  assert.deepEqual(b.createdDirectories(), ALL_DIRS.map((d) => host.path(`${d}/berth/b`)));
  mkdirSync(host.path('memory/berth/a/nested')); // a cgroup the container made itself
  writeFileSync(host.path('memory/berth/a/nested/cgroup.procs'), '');

  // A later process (runtime delete) only knows the path and what create recorded.
  await (await open('/berth/a', a.createdDirectories())).destroy();
  assert.deepEqual(host.directories(), [...ALL_DIRS, ...ALL_DIRS.flatMap((d) => [`${d}/berth`, `${d}/berth/b`])].sort());

  await (await open('/berth/b', b.createdDirectories())).destroy();
  // b made no parents, but it leaves berth's own parent empty: it goes too...
  assert.deepEqual(host.directories(), [...ALL_DIRS].sort());
  // ...and destroying again is harmless.
  await (await open('/berth/a', a.createdDirectories())).destroy();
  assert.deepEqual(host.directories(), [...ALL_DIRS].sort());
});

test('killAll freezes, signals every pid and thaws', async () => {
  const cg = await open();
  await cg.create({});
  await cg.killAll('SIGKILL'); // empty cgroup: nothing to signal
  assert.deepEqual(host.writesTo('freezer/berth/c1/freezer.state'), ['FROZEN', 'THAWED']);
});
