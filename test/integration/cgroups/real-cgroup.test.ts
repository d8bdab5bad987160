// The cgroup library against this machine's real /sys/fs/cgroup (root needed): limits land in
// the kernel's files, a real process joins, freezes, is killed, and nothing is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openCgroup, type Cgroup } from '../../../src/runtime/cgroups/index.js';

const CGROUP_ROOT = '/sys/fs/cgroup';
const MiB = 1024 * 1024;

/** Every berth-test-* directory at the top of any hierarchy (v1 and hybrid) or of the v2 root. */
function leftovers(prefix = 'berth-test-'): string[] {
  const found: string[] = [];
  const scan = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name.startsWith(prefix) && statSync(path).isDirectory()) found.push(path);
    }
  };
  scan(CGROUP_ROOT);
  for (const name of readdirSync(CGROUP_ROOT)) {
    const path = join(CGROUP_ROOT, name);
    if (statSync(path).isDirectory() && !name.startsWith(prefix)) scan(path);
  }
  return found;
}

/** Last resort after a failure: rmdir whatever this test left, deepest first. */
function removeLeftovers(prefix: string): void {
  const remove = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) remove(join(dir, entry.name));
    try { rmdirSync(dir); } catch { /* still busy: reported by the assertion below */ }
  };
  for (const dir of leftovers(prefix)) remove(dir);
}

const read = (path: string) => readFileSync(path, 'utf8').trim();

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

test('a real cgroup: limits, a process, freeze, update, stats, killAll, destroy', {
  skip: process.getuid?.() !== 0 || !existsSync(CGROUP_ROOT) ? 'needs root and /sys/fs/cgroup' : false,
  timeout: 60_000,
}, async () => {
  const name = `berth-test-${randomBytes(4).toString('hex')}`;
  let cg: Cgroup | undefined;
  let child: ChildProcess | undefined;
  try {
    cg = await openCgroup(`/${name}/c1`);
    await cg.create({
      memory: { limit: 64 * MiB },
      pids: { limit: 20 },
      cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0' },
    });
    const dirOf = (controller: string): string => {
      const h = cg!.hierarchies().find((x) => (cg!.version === 2 ? true : x.controllers.includes(controller)));
      assert.ok(h, `a hierarchy with ${controller}`);
      return h.hostPath;
    };
    if (cg.version === 1) {
      assert.equal(read(join(dirOf('memory'), 'memory.limit_in_bytes')), String(64 * MiB));
      assert.equal(read(join(dirOf('pids'), 'pids.max')), '20');
      assert.equal(read(join(dirOf('cpu'), 'cpu.shares')), '512');
      assert.equal(read(join(dirOf('cpu'), 'cpu.cfs_quota_us')), '50000');
      assert.equal(read(join(dirOf('cpu'), 'cpu.cfs_period_us')), '100000');
      assert.equal(read(join(dirOf('cpuset'), 'cpuset.cpus')), '0');
      assert.notEqual(read(join(dirOf('cpuset'), 'cpuset.mems')), '', 'mems inherited from the parent');
    } else {
      assert.equal(read(join(dirOf('memory'), 'memory.max')), String(64 * MiB));
      assert.equal(read(join(dirOf('pids'), 'pids.max')), '20');
      assert.equal(read(join(dirOf('cpu'), 'cpu.weight')), '20');
      assert.equal(read(join(dirOf('cpu'), 'cpu.max')), '50000 100000');
      assert.equal(read(join(dirOf('cpuset'), 'cpuset.cpus')), '0');
    }

    // The shell waits until it has joined, then becomes `sleep`: exec's fresh memory is charged
    // to the new cgroup (v1 does not move charges with a process).
    child = spawn('sh', ['-c', 'read _ && exec sleep 30'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const pid = child.pid!;
    assert.ok(pid > 0);
    for (const file of cg.procsFiles()) await appendFile(file, String(pid));
    child.stdin!.write('\n');
    for (let i = 0; i < 100 && !read(`/proc/${pid}/cmdline`).startsWith('sleep'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await cg.pids()).includes(pid));

    await cg.freeze();
    assert.equal(await cg.isFrozen(), true);
    await cg.thaw();
    assert.equal(await cg.isFrozen(), false);

    await cg.update({ memory: { limit: 128 * MiB } });
    const limitFile = cg.version === 1 ? 'memory.limit_in_bytes' : 'memory.max';
    assert.equal(read(join(dirOf('memory'), limitFile)), String(128 * MiB));

    const stats = await cg.stats();
    assert.ok(stats.pids.current >= 1, `pids.current ${stats.pids.current}`);
    assert.equal(stats.pids.limit, 20);
    assert.ok(stats.memory.usage.usage > 0, `memory usage ${stats.memory.usage.usage}`);
    assert.equal(stats.memory.usage.limit, 128 * MiB);

    const exit = exited(child);
    await cg.killAll('SIGKILL');
    await exit;
    assert.equal(child.signalCode, 'SIGKILL');
    assert.deepEqual(await cg.pids(), []);

    await cg.destroy();
    assert.deepEqual(leftovers(name), []);
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exit = exited(child);
      child.kill('SIGKILL');
      await exit;
    }
    await cg?.destroy().catch(() => {});
    removeLeftovers(name);
  }
  assert.deepEqual(leftovers(), []);
});
