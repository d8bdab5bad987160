// A fake host for the cgroup library: a temporary directory shaped like / (proc/self/mountinfo,
// proc/self/cgroup, sys/fs/cgroup/...) and a CgroupfsOps that behaves like the kernel where the
// library depends on it: mkdir fills in control files, memsw stays >= the memory limit,
// subtree_control gates v2 controllers, rmdir refuses a directory with children or processes.
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { CgroupfsOps } from '../../../src/runtime/cgroups/directories.js';

const V1_MAX = '9223372036854771712';

export const HYBRID_MOUNTINFO = `21 26 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
31 23 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
32 31 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
33 31 0:30 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
34 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpuset
36 31 0:33 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
37 31 0:34 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,devices
38 31 0:35 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,freezer
39 31 0:36 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,blkio
40 31 0:37 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,pids
`;

export const HYBRID_PROC_CGROUP = `12:pids:/user.slice
11:blkio:/user.slice
10:freezer:/
9:devices:/user.slice
8:memory:/process_api/abc
7:cpuset:/
6:cpu,cpuacct:/user.slice
1:name=systemd:/user.slice/session-1.scope
0::/user.slice/session-1.scope
`;

export const V2_MOUNTINFO = `21 26 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
31 23 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

export const V2_PROC_CGROUP = '0::/user.slice/user-0.slice/session-3.scope\n';

export interface Write {
  /** Path relative to sys/fs/cgroup. */
  file: string;
  data: string;
}

function errno(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: fake cgroupfs, ${path}`), { code });
}

const asLimit = (text: string): bigint => (text.trim() === '-1' || text.trim() === 'max' ? BigInt(V1_MAX) : BigInt(text.trim()));

export interface FakeHostOptions {
  version: 'hybrid' | 'v2';
  /** v2: whether cgroup.kill exists (Linux >= 5.14). */
  cgroupKill?: boolean;
  /** v1: whether swap is accounted (memory.memsw.* files). */
  swapAccounting?: boolean;
}

export class FakeHost implements CgroupfsOps {
  readonly root: string;
  readonly cgroupRoot: string;
  /** Every successful write, in order. */
  readonly writes: Write[] = [];
  /** Files the fake refuses to take (EINVAL), relative to sys/fs/cgroup. */
  readonly refuse = new Set<string>();

  constructor(private readonly options: FakeHostOptions) {
    this.root = mkdtempSync(join(tmpdir(), 'berth-cgroups-'));
    this.cgroupRoot = join(this.root, 'sys/fs/cgroup');
    mkdirSync(join(this.root, 'proc/self'), { recursive: true });
    if (options.version === 'hybrid') {
      writeFileSync(join(this.root, 'proc/self/mountinfo'), HYBRID_MOUNTINFO);
      writeFileSync(join(this.root, 'proc/self/cgroup'), HYBRID_PROC_CGROUP);
      for (const name of ['unified', 'systemd', 'cpu,cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids']) {
        const dir = join(this.cgroupRoot, name);
        mkdirSync(dir, { recursive: true });
        this.populate(dir, true);
      }
    } else {
      writeFileSync(join(this.root, 'proc/self/mountinfo'), V2_MOUNTINFO);
      writeFileSync(join(this.root, 'proc/self/cgroup'), V2_PROC_CGROUP);
      mkdirSync(this.cgroupRoot, { recursive: true });
      this.populate(this.cgroupRoot, true);
    }
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Absolute path of a file given relative to sys/fs/cgroup. */
  path(rel: string): string {
    return join(this.cgroupRoot, rel);
  }

  read(rel: string): string {
    return readFileSync(this.path(rel), 'utf8');
  }

  set(rel: string, content: string): void {
    writeFileSync(this.path(rel), content);
  }

  exists(rel: string): boolean {
    return existsSync(this.path(rel));
  }

  /** Every directory under sys/fs/cgroup, relative, sorted. */
  directories(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) {
          out.push(relative(this.cgroupRoot, p));
          walk(p);
        }
      }
    };
    walk(this.cgroupRoot);
    return out.sort();
  }

  /** The data written to one file, in order. */
  writesTo(rel: string): string[] {
    return this.writes.filter((w) => w.file === rel).map((w) => w.data);
  }

  private hierarchyOf(path: string): string {
    if (this.options.version === 'v2') return '';
    return relative(this.cgroupRoot, path).split('/')[0]!;
  }

  /** The control files the kernel puts in a new directory of the hierarchy. */
  private populate(dir: string, isRoot: boolean): void {
    const files: Record<string, string> = { 'cgroup.procs': '' };
    const hierarchy = this.hierarchyOf(dir);
    if (this.options.version === 'v2' || hierarchy === 'unified') {
      const controllers = isRoot
        ? (hierarchy === 'unified' ? '' : 'cpuset cpu io memory hugetlb pids rdma misc')
        : readFileSync(join(dirname(dir), 'cgroup.subtree_control'), 'utf8').trim();
      files['cgroup.controllers'] = controllers;
      files['cgroup.subtree_control'] = '';
      if (!isRoot) {
        files['cgroup.freeze'] = '0';
        files['cgroup.events'] = 'populated 0\nfrozen 0\n';
        if (this.options.cgroupKill) files['cgroup.kill'] = '';
      }
      const enabled = controllers.split(' ').filter(Boolean);
      if (!isRoot && enabled.includes('memory')) {
        Object.assign(files, {
          'memory.max': 'max', 'memory.low': '0', 'memory.high': 'max', 'memory.swap.max': 'max', 'memory.current': '0',
          'memory.swap.current': '0', 'memory.stat': '', 'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
        });
      }
      if (!isRoot && enabled.includes('cpu')) {
        Object.assign(files, { 'cpu.weight': '100', 'cpu.max': 'max 100000', 'cpu.max.burst': '0', 'cpu.idle': '0' });
      }
      files['cpu.stat'] = 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n';
      if (!isRoot && enabled.includes('pids')) Object.assign(files, { 'pids.max': 'max', 'pids.current': '0' });
      if (!isRoot && enabled.includes('io')) Object.assign(files, { 'io.weight': 'default 100', 'io.max': '', 'io.stat': '' });
      if (!isRoot && enabled.includes('cpuset')) Object.assign(files, { 'cpuset.cpus': '', 'cpuset.mems': '' });
    } else {
      files['tasks'] = '';
      const has = (c: string) => hierarchy.split(',').includes(c);
      if (has('memory')) {
        Object.assign(files, {
          'memory.limit_in_bytes': V1_MAX, 'memory.soft_limit_in_bytes': V1_MAX, 'memory.usage_in_bytes': '0',
          'memory.max_usage_in_bytes': '0', 'memory.failcnt': '0', 'memory.swappiness': '60', 'memory.stat': '',
          'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n', 'memory.kmem.limit_in_bytes': V1_MAX,
        });
        if (this.options.swapAccounting !== false) {
          Object.assign(files, {
            'memory.memsw.limit_in_bytes': V1_MAX, 'memory.memsw.usage_in_bytes': '0',
            'memory.memsw.max_usage_in_bytes': '0', 'memory.memsw.failcnt': '0',
          });
        }
      }
      if (has('cpu')) {
        Object.assign(files, {
          'cpu.shares': '1024', 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '-1', 'cpu.cfs_burst_us': '0',
          'cpu.rt_period_us': '1000000', 'cpu.rt_runtime_us': '0', 'cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n',
        });
      }
      if (has('cpuacct')) {
        Object.assign(files, { 'cpuacct.usage': '0', 'cpuacct.usage_percpu': '0 0 0 0 ', 'cpuacct.stat': 'user 0\nsystem 0\n' });
      }
      if (has('cpuset')) Object.assign(files, { 'cpuset.cpus': isRoot ? '0-3\n' : '\n', 'cpuset.mems': isRoot ? '0\n' : '\n' });
      if (has('pids') && !isRoot) Object.assign(files, { 'pids.max': 'max', 'pids.current': '0' });
      if (has('freezer') && !isRoot) Object.assign(files, { 'freezer.state': 'THAWED\n', 'freezer.self_freezing': '0\n' });
      if (has('devices')) Object.assign(files, { 'devices.allow': '', 'devices.deny': '', 'devices.list': 'a *:* rwm\n' });
      if (has('blkio')) {
        for (const f of ['blkio.bfq.weight', 'blkio.bfq.weight_device', 'blkio.throttle.read_bps_device', 'blkio.throttle.write_bps_device',
          'blkio.throttle.read_iops_device', 'blkio.throttle.write_iops_device', 'blkio.throttle.io_service_bytes_recursive',
          'blkio.throttle.io_serviced_recursive']) files[f] = '';
        files['blkio.bfq.weight'] = '100';
      }
    }
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  }

  // ---- CgroupfsOps ----

  async mkdir(path: string): Promise<void> {
    mkdirSync(path); // throws EEXIST / ENOENT like the kernel
    this.populate(path, false);
  }

  async rmdir(path: string): Promise<void> {
    if (!existsSync(path)) throw errno('ENOENT', path);
    if (readdirSync(path, { withFileTypes: true }).some((e) => e.isDirectory())) throw errno('EBUSY', path);
    if (readFileSync(join(path, 'cgroup.procs'), 'utf8').trim() !== '') throw errno('EBUSY', path);
    rmSync(path, { recursive: true });
  }

  async readFile(path: string): Promise<string> {
    return readFileSync(path, 'utf8');
  }

  async listDirectories(path: string): Promise<string[]> {
    return readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  }

  async writeFile(path: string, data: string): Promise<void> {
    if (!existsSync(path)) throw errno('ENOENT', path);
    const rel = relative(this.cgroupRoot, path);
    const dir = dirname(path);
    const name = rel.split('/').pop()!;
    if (this.refuse.has(rel)) throw errno('EINVAL', path);
    const current = (file: string) => readFileSync(join(dir, file), 'utf8');
    // The kernel keeps memsw >= limit: a write that would break it fails.
    if (name === 'memory.limit_in_bytes' && existsSync(join(dir, 'memory.memsw.limit_in_bytes'))
      && asLimit(data) > asLimit(current('memory.memsw.limit_in_bytes'))) throw errno('EINVAL', path);
    if (name === 'memory.memsw.limit_in_bytes' && asLimit(data) < asLimit(current('memory.limit_in_bytes'))) {
      throw errno('EINVAL', path);
    }
    if (name === 'cpu.cfs_quota_us' && Number(data) !== -1 && Number(data) < 1000) throw errno('EINVAL', path);
    let stored = data;
    if (name === 'memory.limit_in_bytes' || name === 'memory.memsw.limit_in_bytes') stored = String(asLimit(data));
    if (name === 'cgroup.subtree_control') {
      const available = current('cgroup.controllers').trim().split(' ');
      const enabled = new Set(current('cgroup.subtree_control').trim().split(' ').filter(Boolean));
      for (const token of data.trim().split(/\s+/)) {
        const controller = token.slice(1);
        if (!available.includes(controller)) throw errno('ENOENT', path);
        if (token.startsWith('+')) enabled.add(controller);
        else enabled.delete(controller);
      }
      stored = available.filter((c) => enabled.has(c)).join(' ');
    }
    if (name === 'freezer.state') {
      writeFileSync(join(dir, 'freezer.self_freezing'), data === 'FROZEN' ? '1\n' : '0\n');
      stored = `${data}\n`;
    }
    if (name === 'cgroup.freeze') writeFileSync(join(dir, 'cgroup.events'), `populated 0\nfrozen ${data.trim()}\n`);
    if (name === 'cgroup.kill') stored = '';
    writeFileSync(path, stored);
    this.writes.push({ file: rel, data });
  }
}
