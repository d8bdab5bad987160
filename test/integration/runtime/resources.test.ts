// cgroup limits on real containers: the kernel enforces them (OOM kill, pids), the files show
// them, `update` changes them live, and stats read usage back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../../support/sandbox.js';

/** The file of a controller for the cgroup a process is in, as /proc/<pid>/cgroup names it. */
function cgroupFile(pid: number, controller: string, file: string): string {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, controllers, path] = line.split(':') as [string, string, string];
    if (controllers.split(',').includes(controller)) return join('/sys/fs/cgroup', controllers, path, file);
    if (controllers === '' && !readFileSync('/proc/self/cgroup', 'utf8').includes(`:${controller}:`)) {
      return join('/sys/fs/cgroup', path, file); // a pure cgroup v2 host
    }
  }
  throw new Error(`process ${pid} has no ${controller} cgroup`);
}

function firstLines(stream: NodeJS.ReadableStream, count: number): Promise<string> {
  let text = '';
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const lines = text.split('\n');
      if (lines.length > count) resolve(lines.slice(0, count).join('\n'));
    });
  });
}

const read = (path: string) => readFileSync(path, 'utf8').trim();

describe('cgroup resources', () => {
  let sandbox: Sandbox;
  before(() => { sandbox = new Sandbox(); });
  after(async () => { await sandbox.cleanup(); });

  it('is killed by the OOM killer over its memory limit, and says so', async () => {
    const result = await sandbox.runtime.run(sandbox.id('oom'), {
      // tail keeps the endless "line" of /dev/zero in memory.
      bundle: sandbox.bundle(['tail', '/dev/zero'], { edit: (spec) => { spec.linux!.resources = { memory: { limit: 16 * 1024 * 1024, swap: 16 * 1024 * 1024 } }; } }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(result.exitCode, 137);
    assert.equal(result.oomKilled, true);
  });

  it('cannot fork beyond its pids limit', async () => {
    const result = await sandbox.runtime.run(sandbox.id('pids'), {
      bundle: sandbox.bundle(['sh', '-c', 'for i in $(seq 12); do sleep 1 & done; wait'], {
        edit: (spec) => { spec.linux!.resources = { pids: { limit: 6 } }; },
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.match(result.stderr, /can't fork: Resource temporarily unavailable/);
  });

  it('applies cpu, cpuset, memory and pids limits, updates them live and reports usage', async () => {
    const id = sandbox.id('limits');
    const { record, init } = await sandbox.runtime.create(id, {
      bundle: sandbox.bundle(['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; exec sleep 300'], {
        edit: (spec) => {
          spec.linux!.resources = {
            memory: { limit: 64 * 1024 * 1024 },
            cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0' },
            pids: { limit: 20 },
          };
        },
      }),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // The container sees its own limits through its /sys/fs/cgroup.
    const inside = firstLines(init.stdout!, 2);
    await sandbox.runtime.start(id);
    const pid = record.pid;
    assert.equal(read(cgroupFile(pid, 'memory', 'memory.limit_in_bytes')), String(64 * 1024 * 1024));
    assert.equal(read(cgroupFile(pid, 'cpu', 'cpu.shares')), '512');
    assert.equal(read(cgroupFile(pid, 'cpu', 'cpu.cfs_quota_us')), '50000');
    assert.equal(read(cgroupFile(pid, 'cpuset', 'cpuset.cpus')), '0');
    assert.equal(read(cgroupFile(pid, 'pids', 'pids.max')), '20');
    assert.equal(await inside, `${64 * 1024 * 1024}\n20`);

    await sandbox.runtime.update(id, { memory: { limit: 128 * 1024 * 1024 }, cpu: { quota: 20000 }, pids: { limit: 50 } });
    assert.equal(read(cgroupFile(pid, 'memory', 'memory.limit_in_bytes')), String(128 * 1024 * 1024));
    assert.equal(read(cgroupFile(pid, 'cpu', 'cpu.cfs_quota_us')), '20000');
    assert.equal(read(cgroupFile(pid, 'pids', 'pids.max')), '50');
    assert.equal((await sandbox.runtime.containerSpec(id)).linux?.resources?.cpu?.shares, 512, 'update keeps what it did not change');

    const stats = await sandbox.runtime.stats(id);
    assert.equal(stats.type, 'stats');
    assert.equal(stats.data.pids.current, 1);
    assert.equal(stats.data.pids.limit, 50);
    assert.ok(stats.data.memory.usage.usage > 0);
    assert.equal(stats.data.memory.usage.limit, 128 * 1024 * 1024);
    assert.ok(stats.data.cpu.usage.total > 0);
    await sandbox.runtime.delete(id, { force: true });
  });
});
