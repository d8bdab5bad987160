// The container lifecycle through the library, with real containers: run, the create/start
// split, kill, pause/resume, delete, exec and hooks; and that each leaves nothing behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, leftovers } from '../../support/sandbox.js';
import { ContainerSetupError } from '../../../src/runtime/process/init-process.js';
import { isSameLiveProcess, waitForProcessExit } from '../../../src/runtime/container/process-identity.js';
import { readAll, waitFor } from '../../support/streams.js';

const piped = ['ignore', 'pipe', 'pipe'] as const;

describe('container lifecycle', () => {
  let sandbox: Sandbox;
  before(() => { sandbox = new Sandbox(); });
  after(async () => { await sandbox.cleanup(); });

  it('runs a program, returns its output and exit code, and leaves nothing behind', async () => {
    const result = await sandbox.runtime.run(sandbox.id('echo'), {
      bundle: sandbox.bundle(['sh', '-c', 'echo hello; echo oops >&2; exit 3']),
      stdio: [...piped],
    });
    assert.equal(result.stdout, 'hello\n');
    assert.equal(result.stderr, 'oops\n');
    assert.equal(result.exitCode, 3);
    assert.equal(result.oomKilled, false);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('leaves no /berth cgroup parent when the container that made it goes first', async () => {
    const first = sandbox.id('parent-maker');
    const second = sandbox.id('parent-user');
    await sandbox.runtime.create(first, { bundle: sandbox.bundle(['sleep', '300']), stdio: ['ignore', 'ignore', 'ignore'] });
    await sandbox.runtime.create(second, { bundle: sandbox.bundle(['sleep', '300']), stdio: ['ignore', 'ignore', 'ignore'] });
    await sandbox.runtime.delete(first, { force: true });
    await sandbox.runtime.delete(second, { force: true });
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('reports death by a signal as 128 + the signal', async () => {
    // From outside: the container's init ignores signals it sends itself, as any pid 1 does.
    const result = await sandbox.runtime.run(sandbox.id('signal'), {
      bundle: sandbox.bundle(['sleep', '300']),
      stdio: [...piped],
      onStart: (init) => process.kill(init.pid, 'SIGKILL'),
    });
    assert.equal(result.exitCode, 137);
    assert.equal(result.signal, 9);
  });

  it('fails create with 127 for a missing program, and undoes everything', async () => {
    await assert.rejects(
      sandbox.runtime.run(sandbox.id('missing'), { bundle: sandbox.bundle(['/no/such/program']), stdio: [...piped] }),
      (err: unknown) => err instanceof ContainerSetupError && err.exitStatus === 127 && /no\/such\/program/.test(err.message),
    );
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('holds the process before the program until start, then runs it', async () => {
    const id = sandbox.id('split');
    const { record } = await sandbox.runtime.create(id, { bundle: sandbox.bundle(['sleep', '300']), stdio: [...piped] });
    const created = await sandbox.runtime.state(id);
    assert.equal(created.status, 'created');
    assert.equal(created.pid, record.pid);
    // Set up but not yet the user's program: still berth-init, from its sealed copy.
    assert.match(readlinkSync(`/proc/${record.pid}/exe`), /memfd:berth-init/);
    assert.ok(existsSync(join(sandbox.root, id, 'exec.fifo')));

    await sandbox.runtime.start(id);
    assert.equal((await sandbox.runtime.state(id)).status, 'running');
    // start returns once the fifo released the process; its exec follows a moment later.
    await waitFor(() => readFileSync(`/proc/${record.pid}/cmdline`, 'utf8') === 'sleep\u0000300\u0000', 5000);
    await assert.rejects(sandbox.runtime.start(id), /is running: only a created container can be started/);
    await assert.rejects(sandbox.runtime.delete(id), /is running: stop it first, or delete with --force/);

    await sandbox.runtime.pause(id);
    assert.equal((await sandbox.runtime.state(id)).status, 'paused');
    await sandbox.runtime.resume(id);
    assert.equal((await sandbox.runtime.state(id)).status, 'running');

    await sandbox.runtime.kill(id, 'KILL');
    assert.ok(await waitForProcessExit(record.pid, record.initStartTime, 5000));
    assert.equal((await sandbox.runtime.state(id)).status, 'stopped');
    await assert.rejects(sandbox.runtime.kill(id, 'TERM'), /is not running/);
    await sandbox.runtime.delete(id);
    await assert.rejects(sandbox.runtime.state(id), /does not exist/);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('deletes a created container that never started', async () => {
    const id = sandbox.id('never');
    const { record } = await sandbox.runtime.create(id, { bundle: sandbox.bundle(['true']), stdio: [...piped] });
    await sandbox.runtime.delete(id);
    assert.equal(isSameLiveProcess(record.pid, record.initStartTime), false);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('force-deletes a paused container', async () => {
    const id = sandbox.id('paused');
    await sandbox.runtime.create(id, { bundle: sandbox.bundle(['sleep', '300']), stdio: [...piped] });
    await sandbox.runtime.start(id);
    await sandbox.runtime.pause(id);
    await sandbox.runtime.delete(id, { force: true });
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('kills every process with kill --all', async () => {
    const id = sandbox.id('killall');
    const { record } = await sandbox.runtime.create(id, { bundle: sandbox.bundle(['sh', '-c', 'sleep 300 & sleep 300 & wait']), stdio: [...piped] });
    await sandbox.runtime.start(id);
    await waitFor(async () => (await sandbox.runtime.processes(id)).length === 3);
    await sandbox.runtime.kill(id, 'SIGKILL', { all: true });
    assert.ok(await waitForProcessExit(record.pid, record.initStartTime, 5000));
    await waitFor(async () => (await sandbox.runtime.processes(id)).length === 0);
    await sandbox.runtime.delete(id);
  });

  it('execs a process in the container\'s namespaces and reports its exit', async () => {
    const id = sandbox.id('exec');
    await sandbox.runtime.create(id, { bundle: sandbox.bundle(['sleep', '300']), stdio: [...piped] });
    await sandbox.runtime.start(id);
    const exec = await sandbox.runtime.exec(id, {
      process: { args: ['sh', '-c', 'hostname; echo $$; cat /proc/1/cmdline; exit 5'], env: ['PATH=/bin:/usr/bin'] },
      stdio: [...piped],
    });
    const output = await readAll(exec.stdout!);
    assert.deepEqual(await exec.wait(), { exitCode: 5 });
    const [hostname, pid, init] = output.split('\n');
    assert.equal(hostname, 'berth-test');
    assert.ok(Number(pid) > 1, `exec'd shell has pid ${pid} in the container`);
    assert.equal(init, 'sleep\u0000300\u0000');
    await sandbox.runtime.delete(id, { force: true });
  });

  it('runs the hooks with the state on stdin', async () => {
    const log = join(sandbox.dir, 'hooks.log');
    const hook = (name: string) => ({ path: '/bin/sh', args: ['sh', '-c', `printf '${name} %s\\n' "$(cat)" >> ${log}`] });
    const result = await sandbox.runtime.run(sandbox.id('hooks'), {
      bundle: sandbox.bundle(['true'], {
        edit: (spec) => {
          spec.hooks = {
            prestart: [hook('prestart')], createRuntime: [hook('createRuntime')], createContainer: [hook('createContainer')],
            poststart: [hook('poststart')], poststop: [hook('poststop')],
          };
        },
      }),
      stdio: [...piped],
    });
    assert.equal(result.exitCode, 0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop']);
    const states = lines.map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)) as { id: string; status: string; pid: number });
    assert.ok(states.every((s) => s.id === sandbox.id('hooks')));
    assert.deepEqual(states.map((s) => s.status), ['creating', 'creating', 'creating', 'running', 'stopped']);
    assert.ok(states[0]!.pid > 0);
  });

  it('fails create when a prestart hook fails, and undoes everything', async () => {
    await assert.rejects(
      sandbox.runtime.create(sandbox.id('badhook'), {
        bundle: sandbox.bundle(['true'], { edit: (spec) => { spec.hooks = { prestart: [{ path: '/bin/false' }] }; } }),
        stdio: [...piped],
      }),
      /prestart hook/,
    );
    assert.deepEqual(leftovers(sandbox), []);
  });
});
