// More of config.json on real containers: namespaces joined by path, bind mounts with their
// options, linux.devices, oomScoreAdj, startContainer hooks, block I/O limits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, type BundleOptions } from '../../support/sandbox.js';
import { readAll } from '../../support/streams.js';
import type { RunResult } from '../../../src/runtime/container/run.js';

describe('config.json features', () => {
  let sandbox: Sandbox;
  let count = 0;
  before(() => { sandbox = new Sandbox(); });
  after(async () => { await sandbox.cleanup(); });

  const sh = (script: string, options?: BundleOptions): Promise<RunResult> =>
    sandbox.runtime.run(sandbox.id(`feat${++count}`), {
      bundle: sandbox.bundle(['sh', '-c', script], options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('joins the namespaces of another container by path', async () => {
    const first = sandbox.id('ns-owner');
    const { record } = await sandbox.runtime.create(first, {
      bundle: sandbox.bundle(['sleep', '300'], { edit: (spec) => { spec.hostname = 'owner-host'; } }),
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    await sandbox.runtime.start(first);
    const r = await sh('hostname; for ns in uts net ipc; do readlink /proc/self/ns/$ns; done', {
      edit: (spec) => {
        delete spec.hostname; // the uts namespace is not its own
        spec.linux!.namespaces = spec.linux!.namespaces!.map((n) =>
          ['uts', 'network', 'ipc'].includes(n.type) ? { type: n.type, path: `/proc/${record.pid}/ns/${n.type === 'network' ? 'net' : n.type}` } : n);
      },
    });
    const owner = ['uts', 'net', 'ipc'].map((ns) => `${ns}:[${statSync(`/proc/${record.pid}/ns/${ns}`).ino}]\n`);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, `owner-host\n${owner.join('')}`);
    await sandbox.runtime.delete(first, { force: true });
  });

  it('gets its own cgroup namespace, rooted at its cgroup', async () => {
    const r = await sh('grep -E ":(memory|pids):" /proc/self/cgroup', {
      edit: (spec) => { spec.linux!.namespaces!.push({ type: 'cgroup' }); },
    });
    assert.equal(r.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[2]).join(','), '/,/');
  });

  it('mounts bind mounts read-only or read-write, as asked', async () => {
    const shared = join(sandbox.dir, 'shared');
    mkdirSync(shared);
    writeFileSync(join(shared, 'from-host'), 'host data\n');
    const r = await sh('cat /ro/from-host; (echo x > /ro/new) 2>&1; echo written > /rw/from-container; grep -E " /(ro|rw) " /proc/self/mountinfo | cut -d" " -f5,6', {
      edit: (spec) => {
        spec.mounts!.push(
          { destination: '/ro', type: 'bind', source: shared, options: ['rbind', 'ro', 'nosuid', 'nodev'] },
          { destination: '/rw', type: 'bind', source: shared, options: ['bind', 'rw'] },
        );
      },
    });
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'host data');
    assert.match(lines[1]!, /Read-only file system/);
    assert.match(lines[2]!, /^\/ro ro,nosuid,nodev/);
    assert.match(lines[3]!, /^\/rw rw/);
    assert.equal(readFileSync(join(shared, 'from-container'), 'utf8'), 'written\n');
  });

  it('creates linux.devices and allows them in the device cgroup', async () => {
    const r = await sh('ls -l /dev/berth-null | cut -c1-10; echo x > /dev/berth-null && echo writable; (mknod /dev/sda-copy b 8 0 && cat /dev/sda-copy) 2>&1 | head -1', {
      edit: (spec) => { spec.linux!.devices = [{ path: '/dev/berth-null', type: 'c', major: 1, minor: 3, fileMode: 0o620, uid: 0, gid: 0 }]; },
    });
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'crw--w----');
    assert.equal(lines[1], 'writable');
    // No CAP_MKNOD in the default spec, and the device cgroup would refuse 8:0 anyway.
    assert.match(lines[2]!, /Operation not permitted/);
  });

  it('sets oom_score_adj', async () => {
    const r = await sh('cat /proc/self/oom_score_adj', { edit: (spec) => { spec.process!.oomScoreAdj = 432; } });
    assert.equal(r.stdout, '432\n');
  });

  it('runs startContainer hooks inside the container before the program', async () => {
    const r = await sh('cat /tmp/hook-ran', {
      writableRootfs: true,
      edit: (spec) => {
        spec.hooks = { startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'cat > /tmp/hook-ran; echo >> /tmp/hook-ran; hostname >> /tmp/hook-ran'] }] };
      },
    });
    const [state, hostname] = r.stdout.trim().split('\n');
    assert.equal(JSON.parse(state!).status, 'created');
    assert.equal(hostname, 'berth-test');
  });

  it('throttles block I/O on the device of its root', async () => {
    const device = statSync('/').dev;
    const major = Math.floor(device / 256);
    const minor = device % 256;
    const id = sandbox.id('blkio');
    const { record } = await sandbox.runtime.create(id, {
      bundle: sandbox.bundle(['sleep', '300'], {
        edit: (spec) => { spec.linux!.resources = { blockIO: { throttleReadBpsDevice: [{ major, minor, rate: 1048576 }] } }; },
      }),
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const exec = await sandbox.runtime.exec(id, { process: { args: ['cat', '/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device'] }, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(await readAll(exec.stdout!), `${major}:${minor} 1048576\n`);
    await exec.wait();
    assert.ok(record.pid > 0);
    await sandbox.runtime.delete(id, { force: true });
  });
});
