// The command lines berthd computes for a runc-compatible runtime binary and for the monitor
// that runs its create and exec, and how the runtime's answers are read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorLauncher, runtimeCommandArgs } from '../../../src/monitor/launch.js';
import { packageRoot } from '../../../src/paths.js';
import {
  createCommand, execCommand, execProcessSpec, runtimeArgv, runtimeLogError, runtimeStderrError, setupExitStatus,
} from '../../../src/runtime/oci-runtime-command.js';
import { runtimeRoot } from '../../../src/daemon/engine/container/container-runtime.js';

const runc = { path: '/usr/sbin/runc', root: '/run/berth/runtimes/runc' };

describe('runc-compatible runtime command lines', () => {
  it('puts runtimeArgs first, then --root and the JSON log, then the command', () => {
    assert.deepEqual(runtimeArgv(runc, ['state', 'c1']), ['--root', '/run/berth/runtimes/runc', 'state', 'c1']);
    assert.deepEqual(runtimeArgv({ ...runc, runtimeArgs: ['--systemd-cgroup', '--debug'] }, ['kill', 'c1', '15'], '/b/log.json'), [
      '--systemd-cgroup', '--debug', '--root', '/run/berth/runtimes/runc', '--log', '/b/log.json', '--log-format', 'json', 'kill', 'c1', '15',
    ]);
  });

  it('creates with the bundle, a pid file and, for a tty, the console socket', () => {
    assert.deepEqual(createCommand(runc, { id: 'c1', bundle: '/x/bundle', pidFile: '/x/bundle/init.pid', logFile: '/x/bundle/log.json' }), [
      '/usr/sbin/runc', '--root', '/run/berth/runtimes/runc', '--log', '/x/bundle/log.json', '--log-format', 'json',
      'create', '--bundle', '/x/bundle', '--pid-file', '/x/bundle/init.pid', 'c1',
    ]);
    const tty = createCommand(runc, { id: 'c1', bundle: '/x/bundle', pidFile: '/p', logFile: '/l', consoleSocket: '/x/console.sock' });
    assert.deepEqual(tty.slice(-3), ['--console-socket', '/x/console.sock', 'c1']);
  });

  it('execs detached with a process file', () => {
    assert.deepEqual(execCommand(runc, { id: 'c1', processFile: '/e/process.json', pidFile: '/e/exec.pid', logFile: '/e/log.json', consoleSocket: '/e/console.sock' }), [
      '/usr/sbin/runc', '--root', '/run/berth/runtimes/runc', '--log', '/e/log.json', '--log-format', 'json',
      'exec', '--detach', '--pid-file', '/e/exec.pid', '--process', '/e/process.json', '--console-socket', '/e/console.sock', 'c1',
    ]);
  });

  it('keeps runtime state under the exec root, per runtime name', () => {
    assert.equal(runtimeRoot('/run/berth', 'runc'), '/run/berth/runtimes/runc');
  });

  it('runs the command under the monitor with --runtime-command after its own options', () => {
    const launcher = monitorLauncher('/bin/berth-monitor', { socketPath: '/c/monitor.sock', exitFile: '/c/exit.json', tty: true, consoleSocketPath: '/c/console.sock' });
    assert.deepEqual(runtimeCommandArgs(launcher, ['/usr/sbin/runc', 'create', 'c1']), [
      '--socket', '/c/monitor.sock', '--exit-file', '/c/exit.json', '--tty', '--console-socket', '/c/console.sock',
      '--runtime-command', '--', '/usr/sbin/runc', 'create', 'c1',
    ]);
    assert.throws(() => runtimeCommandArgs({ binary: '/m', args: ['--socket', '/s'] }, ['runc']));
    assert.throws(() => runtimeCommandArgs(launcher, []));
    // The monitor knows the option.
    const main = readFileSync(join(packageRoot, 'native', 'monitor', 'main.c'), 'utf8');
    assert.match(main, /"--runtime-command"/);
  });
});

describe('runc-compatible runtime: exec processes and errors', () => {
  const base = {
    args: ['sh'], env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOSTNAME=abc'], cwd: '/work', terminal: true,
    consoleSize: { height: 24, width: 80 }, user: { uid: 1000, gid: 1000 }, capabilities: { bounding: ['CAP_KILL'] }, noNewPrivileges: true,
  };

  it("exec's process is the container's with the caller's fields over it", () => {
    const p = execProcessSpec(base, { args: ['id'], env: ['A=1'], terminal: false, user: { uid: 0, gid: 0, additionalGids: [10] } });
    assert.deepEqual(p.args, ['id']);
    assert.deepEqual(p.env, ['PATH=/usr/local/bin:/usr/bin:/bin', 'A=1'], "the container's PATH when the caller sets none");
    assert.deepEqual(p.user, { uid: 0, gid: 0, additionalGids: [10] });
    assert.equal(p.cwd, '/work');
    assert.equal(p.consoleSize, undefined, 'no console size without a terminal');
    assert.deepEqual(p.capabilities, { bounding: ['CAP_KILL'] });
    assert.equal(p.noNewPrivileges, true);
    assert.equal(execProcessSpec(base, { env: ['PATH=/bin'], cwd: '/tmp' }).env?.[0], 'PATH=/bin');
    assert.equal(execProcessSpec(base, { cwd: '/tmp' }).cwd, '/tmp');
    assert.deepEqual(execProcessSpec(undefined, { args: ['true'] }), { args: ['true'], user: { uid: 0, gid: 0 }, cwd: '/' });
    assert.ok(!('consoleSize' in execProcessSpec(base, { consoleSize: undefined, terminal: false })));
  });

  it("reads the reason from the runtime's JSON log and stderr", () => {
    const log = [
      '{"level":"warning","msg":"something minor","time":"2026-01-01T00:00:00Z"}',
      '{"level":"error","msg":"runc create failed: unable to start container process: exec: \\"nope\\": executable file not found in $PATH","time":"2026-01-01T00:00:00Z"}',
      '',
    ].join('\n');
    assert.equal(runtimeLogError(log), 'runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH');
    assert.equal(runtimeLogError('plain text reason\n'), 'plain text reason');
    assert.equal(runtimeLogError(''), undefined);
    assert.equal(runtimeStderrError('time="2026-01-01T00:00:00Z" level=error msg="container \\"c1\\" does not exist"\n'), 'container "c1" does not exist');
    assert.equal(runtimeStderrError('container not running\n'), 'container not running');
  });

  it("gives Docker's exit statuses for programs that cannot run", () => {
    assert.equal(setupExitStatus('exec: "nope": executable file not found in $PATH'), 127);
    assert.equal(setupExitStatus('exec: "/nope": stat /nope: no such file or directory'), 127);
    assert.equal(setupExitStatus('exec: "/etc": permission denied'), 126);
    assert.equal(setupExitStatus('cgroup: something else'), 0);
  });
});
