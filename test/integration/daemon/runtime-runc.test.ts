// `--runtime runc`: berthd with a runc-compatible binary named in daemon.json's "runtimes"
// (Debian's runc), judged by the real docker CLI through a container's whole life — run in the
// foreground and detached, logs, stdin, exec, a pty through `script`, top, pause, stop, wait,
// rm — and a runc container that lives on when berthd is killed with SIGKILL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestDaemon, daemonForSuite, dockerCli, hasDockerCli } from '../../support/daemon.js';
import { waitFor } from '../../support/streams.js';

const runc = '/usr/sbin/runc';
const skip = !hasDockerCli
  ? `${dockerCli} is missing: the docker CLI compatibility tests cannot run`
  : !existsSync(runc) ? `${runc} is missing (Debian's runc package): --runtime runc cannot be tested` : false;

describe('berthd with --runtime runc', { skip }, () => {
  const suite = daemonForSuite({ daemonJson: { runtimes: { runc: { path: runc } } } });
  let daemon: TestDaemon;
  beforeEach(() => {
    daemon = suite.daemon;
  });

  const docker = (args: string[], input?: string) => daemon.docker(args, input === undefined ? {} : { input });
  const run = (args: string[], input?: string) => docker(['run', '--runtime', 'runc', ...args], input);
  const inspect = (name: string, format: string) => docker(['inspect', '--format', format, name]).stdout.trim();
  /** runc's own view, from the state directory berthd gives it under its exec root. */
  const runcRoot = () => join(daemon.execRoot, 'runtimes', 'runc');
  const runcState = (id: string) => {
    const r = spawnSync(runc, ['--root', runcRoot(), 'state', id], { encoding: 'utf8' });
    return r.status === 0 ? JSON.parse(r.stdout) as { status: string; pid: number } : undefined;
  };
  const runcContainers = () => (existsSync(runcRoot()) ? readdirSync(runcRoot()) : []);

  it('runs in the foreground with --rm: output, stderr, exit code, stdin, 127', () => {
    const name = daemon.name('fg');
    const r = run(['--rm', '--name', name, 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.status, 3);
    assert.equal(docker(['ps', '-a', '-q', '--filter', `name=${name}`]).stdout, '');
    const cat = run(['--rm', '-i', 'busybox', 'cat'], 'one\ntwo\n');
    assert.equal(cat.stdout, 'one\ntwo\n');
    assert.equal(cat.status, 0);
    const failed = daemon.name('failed');
    const missing = run(['--name', failed, 'busybox', 'no-such-program']);
    assert.equal(missing.status, 127, missing.stderr);
    assert.match(missing.stderr, /OCI runtime create failed: runc create failed: .*"no-such-program": executable file not found/);
    assert.deepEqual(docker(['logs', failed]), { status: 0, stdout: '', stderr: '' }, "runc's own message stays out of the log");
    assert.equal(docker(['rm', failed]).status, 0);
    assert.deepEqual(runcContainers(), [], 'runc keeps no state of removed containers');
  });

  it('runs detached: inspect, logs, exec, top, pause, stop with the stop signal, wait, rm', async () => {
    const name = daemon.name('detached');
    const id = run(['-d', '--name', name, 'busybox', 'sh', '-c', 'echo hi; echo oops >&2; trap "echo bye; exit 7" TERM; while :; do sleep 0.1; done']).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    await waitFor(() => docker(['logs', name]).stdout === 'hi\n');
    assert.equal(docker(['logs', name]).stderr, 'oops\n');
    assert.equal(inspect(name, '{{.State.Status}} {{.HostConfig.Runtime}}'), 'running runc');
    const pid = Number(inspect(name, '{{.State.Pid}}'));
    assert.ok(pid > 0);
    assert.deepEqual(runcState(id) && { status: runcState(id)!.status, pid: runcState(id)!.pid }, { status: 'running', pid });

    const exec = docker(['exec', name, 'sh', '-c', 'echo in-container; echo to-stderr >&2; exit 5']);
    assert.equal(exec.stdout, 'in-container\n');
    assert.equal(exec.stderr, 'to-stderr\n');
    assert.equal(exec.status, 5);
    assert.equal(docker(['exec', '-i', name, 'cat'], 'piped\n').stdout, 'piped\n');
    assert.equal(docker(['exec', '-u', '65534', name, 'id', '-u']).stdout, '65534\n');
    const badExec = docker(['exec', name, 'no-such-program']);
    assert.equal(badExec.status, 127, badExec.stderr + badExec.stdout);
    assert.match(badExec.stderr, /^OCI runtime exec failed: exec failed: .*"no-such-program": executable file not found/);
    assert.match(docker(['top', name]).stdout, /sleep 0\.1|while/);

    assert.equal(docker(['pause', name]).status, 0);
    assert.equal(inspect(name, '{{.State.Status}}'), 'paused');
    assert.equal(runcState(id)?.status, 'paused');
    assert.equal(docker(['unpause', name]).status, 0);
    assert.equal(runcState(id)?.status, 'running');

    const waited = daemon.dockerAsync(['wait', name]);
    assert.equal(docker(['stop', name]).status, 0);
    assert.equal((await waited).stdout, '7\n');
    assert.equal(inspect(name, '{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}}'), 'exited 7 0');
    assert.match(docker(['logs', name]).stdout, /bye/);
    assert.equal(runcState(id), undefined, 'the exited container is deleted from runc');

    // Started again: a second runc create of the same id.
    assert.equal(docker(['start', name]).status, 0);
    assert.equal(inspect(name, '{{.State.Status}}'), 'running');
    assert.equal(docker(['kill', name]).status, 0);
    assert.equal(docker(['wait', name]).stdout, '137\n');
    assert.equal(docker(['rm', name]).status, 0);
    assert.deepEqual(runcContainers(), []);
  });

  it('gives the container and execs a pty with -t', () => {
    const env = { ...process.env, DOCKER_HOST: daemon.host, DOCKER_CONFIG: join(daemon.dir, 'docker-config') };
    const viaScript = (command: string) => spawnSync('script', ['-qec', command, '/dev/null'], { env, encoding: 'utf8', timeout: 30_000 });
    const fg = viaScript(`${dockerCli} run --rm -it --runtime runc busybox sh -c 'tty; stty size; exit 4'`);
    assert.match(fg.stdout, /\/dev\/pts\/\d+/);
    assert.equal(fg.status, 4, fg.stdout);

    const name = daemon.name('tty');
    run(['-d', '-t', '--name', name, 'busybox', 'sh', '-c', 'tty; exec sleep 60']);
    assert.match(docker(['logs', name]).stdout, /\/dev\/pts\/\d+\r\n/);
    const exec = viaScript(`${dockerCli} exec -it ${name} sh -c 'tty; exit 6'`);
    assert.match(exec.stdout, /\/dev\/pts\/\d+/);
    assert.equal(exec.status, 6, exec.stdout);
    assert.equal(docker(['rm', '-f', name]).status, 0);
  });

  it('keeps a runc container running through kill -9 of berthd, then stops it', async () => {
    const counter = daemon.name('counter');
    const id = run(['-d', '--name', counter, 'busybox', 'sh', '-c', 'i=0; while :; do echo $i; i=$((i+1)); sleep 0.1; done']).stdout.trim();
    const pid = inspect(counter, '{{.State.Pid}}');
    await waitFor(() => docker(['logs', counter]).stdout.length > 0);
    const linesBefore = docker(['logs', counter]).stdout.split('\n').length;
    await daemon.kill9();
    await sleep(1500);
    assert.equal(runcState(id)?.status, 'running');
    await daemon.restart();
    assert.equal(inspect(counter, '{{.State.Status}} {{.State.Pid}}'), `running ${pid}`);
    const lines = docker(['logs', counter]).stdout.trim().split('\n');
    assert.ok(lines.length > linesBefore + 10, `logs kept growing while berthd was away: ${linesBefore} → ${lines.length} lines`);
    assert.equal(docker(['exec', counter, 'echo', 'still here']).stdout, 'still here\n');
    assert.equal(docker(['stop', '-t', '1', counter]).status, 0);
    assert.equal(inspect(counter, '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
    assert.equal(runcState(id), undefined);
    assert.equal(docker(['rm', counter]).status, 0);
    assert.deepEqual(runcContainers(), []);
  });

  it('refuses a runtime daemon.json does not name', () => {
    const r = docker(['run', '--rm', '--runtime', 'no-such-runtime', 'busybox', 'true']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown or invalid runtime name: no-such-runtime/);
  });
});

describe('berthd with runc as its default runtime', { skip }, () => {
  const suite = daemonForSuite({ daemonJson: { 'default-runtime': 'runc', runtimes: { runc: { path: runc } } } });

  it('runs containers with runc unless told otherwise', () => {
    const daemon = suite.daemon;
    assert.equal(daemon.docker(['info', '--format', '{{.DefaultRuntime}}']).stdout.trim(), 'runc');
    const name = daemon.name('default');
    const id = daemon.docker(['run', '-d', '--name', name, 'busybox', 'sleep', '60']).stdout.trim();
    assert.equal(daemon.docker(['inspect', '--format', '{{.HostConfig.Runtime}}', name]).stdout.trim(), 'runc');
    const state = spawnSync(runc, ['--root', join(daemon.execRoot, 'runtimes', 'runc'), 'state', id], { encoding: 'utf8' });
    assert.equal((JSON.parse(state.stdout) as { status: string }).status, 'running');
    const berth = daemon.docker(['run', '--rm', '--runtime', 'berth', 'busybox', 'echo', 'berth']);
    assert.equal(berth.stdout, 'berth\n', berth.stderr);
    assert.equal(daemon.docker(['rm', '-f', name]).status, 0);
  });
});
