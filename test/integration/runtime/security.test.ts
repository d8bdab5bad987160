// The two classic runtime escapes, tested for real: overwriting the runtime's binary through
// /proc/<pid>/exe (runc CVE-2019-5736) and a host file descriptor or working directory leaking
// into the container (runc CVE-2024-21626).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openSync, closeSync, readFileSync, readlinkSync } from 'node:fs';
import { Sandbox, leftovers } from '../../support/sandbox.js';
import { readAll } from '../../support/streams.js';
import { defaultInitBinary } from '../../../src/paths.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('runtime security', () => {
  let sandbox: Sandbox;
  before(() => { sandbox = new Sandbox(); });
  after(async () => { await sandbox.cleanup(); });

  it('runs berth-init from a sealed copy that cannot be written through /proc/<pid>/exe', async () => {
    const before = sha256(defaultInitBinary());
    const id = sandbox.id('exe');
    const { record } = await sandbox.runtime.create(id, { bundle: sandbox.bundle(['true']), stdio: ['ignore', 'ignore', 'ignore'] });
    assert.match(readlinkSync(`/proc/${record.pid}/exe`), /^\/memfd:berth-init \(deleted\)$/);
    // Even the host's root cannot open it for writing: the copy is sealed and being executed.
    assert.throws(() => closeSync(openSync(`/proc/${record.pid}/exe`, 'r+')), /ETXTBSY|EPERM|EACCES/);
    await sandbox.runtime.delete(id);
    assert.equal(sha256(defaultInitBinary()), before);
  });

  it('resists a container that tries to overwrite berth-init while processes are exec\'d into it', async () => {
    const before = sha256(defaultInitBinary());
    const id = sandbox.id('attack');
    // The attacker, as root in the container, writes to the exe of every other process it sees.
    const attacker = 'while :; do for p in /proc/[0-9]*; do [ "$p" = /proc/$$ ] && continue; '
      + '(echo pwned > $p/exe) 2>/dev/null && echo "wrote $p" >> /tmp/hits; done; done';
    await sandbox.runtime.create(id, { bundle: sandbox.bundle(['sh', '-c', attacker], { writableRootfs: true }), stdio: ['ignore', 'ignore', 'ignore'] });
    await sandbox.runtime.start(id);
    for (let i = 0; i < 20; i++) {
      const exec = await sandbox.runtime.exec(id, { process: { args: ['true'] }, stdio: ['ignore', 'ignore', 'ignore'] });
      await exec.wait();
    }
    const hits = await sandbox.runtime.exec(id, { process: { args: ['sh', '-c', 'cat /tmp/hits 2>/dev/null; true'] }, stdio: ['ignore', 'pipe', 'ignore'] });
    const output = await readAll(hits.stdout!);
    await hits.wait();
    await sandbox.runtime.delete(id, { force: true });
    assert.equal(sha256(defaultInitBinary()), before);
    // Writes may only ever have hit the container's own files (its busybox copy), never berth-init.
    assert.doesNotMatch(output, /berth-init/);
  });

  it('passes no host file descriptor into the container, at create or exec', async () => {
    // This test process holds many descriptors open; none may reach the container.
    const held = openSync('/etc/hostname', 'r');
    try {
      const run = await sandbox.runtime.run(sandbox.id('fds'), { bundle: sandbox.bundle(['ls', '/proc/self/fd']), stdio: ['ignore', 'pipe', 'pipe'] });
      // 0-2 and the directory ls itself opened.
      assert.equal(run.stdout, '0\n1\n2\n3\n');

      const id = sandbox.id('fds-exec');
      await sandbox.runtime.create(id, { bundle: sandbox.bundle(['sleep', '300']), stdio: ['ignore', 'ignore', 'ignore'] });
      await sandbox.runtime.start(id);
      const exec = await sandbox.runtime.exec(id, { process: { args: ['ls', '/proc/self/fd'] }, stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(await readAll(exec.stdout!), '0\n1\n2\n3\n');
      await exec.wait();
      await sandbox.runtime.delete(id, { force: true });
    } finally {
      closeSync(held);
    }
  });

  it('refuses a working directory that points outside the container through /proc/self/fd', async () => {
    for (const fd of [3, 4, 5, 7, 8]) {
      const result = await sandbox.runtime.run(sandbox.id(`cwd${fd}`), {
        bundle: sandbox.bundle(['sh', '-c', 'pwd; ls ..'], { edit: (spec) => { spec.process!.cwd = `/proc/self/fd/${fd}`; } }),
        stdio: ['ignore', 'pipe', 'pipe'],
      }).catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
      assert.notEqual(result.exitCode, 0, `cwd /proc/self/fd/${fd} must fail, got ${result.stdout}`);
      assert.match(result.stderr, /cwd|working directory|No such file/i);
    }
    assert.deepEqual(leftovers(sandbox), []);
  });
});
