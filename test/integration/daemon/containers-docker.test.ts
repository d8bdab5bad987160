// berthd judged by the real docker CLI (v28): the container lifecycle as users drive it — run
// in the foreground and detached, logs, stop with the stop signal, stdin, exec through a pty,
// error statuses — and containers that live on when berthd is killed with SIGKILL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestDaemon, daemonForSuite, dockerCli, hasDockerCli } from '../../support/daemon.js';
import { waitFor } from '../../support/streams.js';

const skip = hasDockerCli ? false : `${dockerCli} is missing: the docker CLI compatibility tests cannot run`;

describe('berthd with the docker CLI: containers', { skip }, () => {
  const suite = daemonForSuite();
  let daemon: TestDaemon;
  beforeEach(() => {
    daemon = suite.daemon;
  });

  const docker = (args: string[], input?: string) => daemon.docker(args, input === undefined ? {} : { input });
  const inspect = (name: string, format: string) => docker(['inspect', '--format', format, name]).stdout.trim();

  it('runs a command in the foreground and removes it with --rm', () => {
    const name = daemon.name('hello');
    const r = docker(['run', '--rm', '--name', name, 'busybox', 'echo', 'hello']);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'hello\n');
    assert.equal(r.status, 0);
    assert.equal(docker(['ps', '-a', '-q', '--filter', `name=${name}`]).stdout, '');
  });

  it('never misses the first output of a container it attached to before start', async () => {
    // The attach must be registered with the monitor before the container runs: a first line
    // written at once used to be lost about one run in ten on a busy machine.
    const runs = await Promise.all(Array.from({ length: 4 }, async () => {
      const outputs: string[] = [];
      for (let i = 0; i < 8; i++) outputs.push((await daemon.dockerAsync(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'first'])).stdout);
      return outputs;
    }));
    assert.deepEqual(runs.flat().filter((o) => o !== 'first\n'), []);
  });

  it('gives containers created side by side distinct generated names', async () => {
    // 60 creates at once out of 1,200 adjective_person names: a pick that is not claimed at
    // once collides (a 409 "name already in use") in most runs.
    const created = await Promise.all(Array.from({ length: 60 }, () => daemon.request('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] })));
    assert.deepEqual(created.map((r) => r.status).filter((s) => s !== 201), []);
    const ids = created.map((r) => r.json<{ Id: string }>().Id);
    const names = await Promise.all(ids.map(async (id) => (await daemon.request('GET', `/containers/${id}/json`)).json<{ Name: string }>().Name));
    assert.equal(new Set(names).size, names.length);
    await Promise.all(ids.map((id) => daemon.request('DELETE', `/containers/${id}`)));
  });

  it("exits with the container's exit code, and 127 for a program that does not exist", () => {
    assert.equal(docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']).status, 3);
    const missing = docker(['run', '--rm', 'busybox', 'no-such-program']);
    assert.equal(missing.status, 127, missing.stderr);
    assert.match(missing.stderr, /no-such-program/);
  });

  it('keeps stdout and stderr apart', () => {
    const r = docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  it('passes stdin with -i', () => {
    const r = docker(['run', '--rm', '-i', 'busybox', 'cat'], 'one\ntwo\n');
    assert.equal(r.stdout, 'one\ntwo\n');
    assert.equal(r.status, 0);
  });

  it('runs detached, shows logs, lists and inspects the container', async () => {
    const name = daemon.name('detached');
    const id = docker(['run', '-d', '--name', name, '-e', 'GREETING=hi', '-m', '64m', 'busybox', 'sh', '-c', 'echo $GREETING; echo oops >&2; exec sleep 60']).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    await waitFor(() => docker(['logs', name]).stdout === 'hi\n');
    const logs = docker(['logs', name]);
    assert.equal(logs.stderr, 'oops\n');
    assert.match(docker(['ps', '--format', '{{.Names}} {{.Status}}']).stdout, new RegExp(`${name} Up`));
    assert.equal(inspect(name, '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Config.Image}} {{.HostConfig.Memory}}'), `running true /${name} busybox 67108864`);
    assert.ok(Number(inspect(name, '{{.State.Pid}}')) > 0);
    assert.match(inspect(name, '{{.GraphDriver.Name}}'), /^(overlay|vfs)$/);
    assert.equal(docker(['rm', name]).status, 1, 'a running container is not removed without -f');
    assert.equal(docker(['rm', '-f', name]).status, 0);
    assert.match(docker(['inspect', name]).stderr, /No such (container|object)/);
  });

  it('stops with the stop signal, then SIGKILL after the timeout', () => {
    const polite = daemon.name('polite');
    docker(['run', '-d', '--name', polite, '--stop-signal', 'SIGUSR1', 'busybox', 'sh', '-c', 'trap "echo bye; exit 7" USR1; while :; do sleep 0.1; done']);
    assert.equal(docker(['stop', polite]).status, 0);
    assert.equal(inspect(polite, '{{.State.Status}} {{.State.ExitCode}}'), 'exited 7');
    assert.match(docker(['logs', polite]).stdout, /bye/);
    const stubborn = daemon.name('stubborn');
    docker(['run', '-d', '--name', stubborn, 'busybox', 'sleep', '60']);
    // PID 1 ignores SIGTERM without a handler: the timeout runs out and SIGKILL ends it.
    assert.equal(docker(['stop', '-t', '1', stubborn]).status, 0);
    assert.equal(inspect(stubborn, '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
    docker(['rm', polite, stubborn]);
  });

  it('execs a command through a pty with -it and reports its exit code', () => {
    const name = daemon.name('exec');
    docker(['run', '-d', '--name', name, 'busybox', 'sleep', '60']);
    const plain = docker(['exec', name, 'sh', '-c', 'echo in-container; exit 5']);
    assert.equal(plain.stdout, 'in-container\n');
    assert.equal(plain.status, 5);
    const script = spawnSync('script', ['-qec', `${dockerCli} exec -it ${name} sh -c 'tty; exit 4'`, '/dev/null'], {
      env: { ...process.env, DOCKER_HOST: daemon.host }, encoding: 'utf8', timeout: 30_000,
    });
    assert.match(script.stdout, /\/dev\/pts\/\d+/);
    assert.equal(script.status, 4);
    docker(['rm', '-f', name]);
  });

  it('runs the reaper as PID 1 with --init, and restarts on failure as the policy says', async () => {
    const ps = docker(['run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,args']);
    assert.match(ps.stdout, /^\s*1 \/sbin\/berth-reaper -- ps/m);
    const flaky = daemon.name('flaky');
    docker(['run', '-d', '--name', flaky, '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo attempt; exit 1']);
    await waitFor(() => inspect(flaky, '{{.RestartCount}} {{.State.Status}}') === '2 exited', 10_000);
    await sleep(500);
    assert.equal(docker(['logs', flaky]).stdout, 'attempt\nattempt\nattempt\n');
    docker(['rm', flaky]);
  });

  it('follows logs, renames, shows top, reports events and waits', async () => {
    const name = daemon.name('busy');
    docker(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo $i; sleep 0.2; done; exec sleep 60']);
    const follow = spawnSync(dockerCli, ['logs', '-f', name], { env: { ...process.env, DOCKER_HOST: daemon.host }, encoding: 'utf8', timeout: 3000 });
    assert.equal(follow.stdout, '1\n2\n3\n');
    assert.match(docker(['top', name]).stdout, /sleep 60/);
    const renamed = daemon.name('renamed');
    assert.equal(docker(['rename', name, renamed]).status, 0);
    const since = Math.floor(Date.now() / 1000) - 1;
    assert.equal(docker(['kill', renamed]).status, 0);
    assert.equal(docker(['wait', renamed]).stdout, '137\n');
    const events = docker(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1),
      '--filter', `container=${renamed}`, '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
    assert.match(events.stdout, new RegExp(`kill ${renamed}\ndie ${renamed}`));
    docker(['rm', renamed]);
  });

  it('answers bad requests with Docker\'s statuses', async () => {
    assert.equal((await daemon.request('GET', '/containers/nope/json')).status, 404);
    const badName = await daemon.request('POST', '/containers/create?name=bad%20name', { Image: 'busybox', Cmd: ['true'] });
    assert.equal(badName.status, 400);
    assert.match(badName.json().message, /Invalid container name/);
    assert.equal((await daemon.request('POST', '/containers/create', '{not json')).status, 400);
    const noImage = await daemon.request('POST', '/containers/create', { Image: 'no-such-image:1', Cmd: ['true'] });
    assert.equal(noImage.status, 404);
    assert.match(noImage.json().message, /No such image/);
    assert.equal((await daemon.request('GET', '/v9.99/version')).status, 400);
  });

  it('keeps containers running through kill -9 of berthd, and records exits that happened meanwhile', async () => {
    const counter = daemon.name('counter');
    const short = daemon.name('short');
    docker(['run', '-d', '--name', counter, 'busybox', 'sh', '-c', 'i=0; while :; do echo $i; i=$((i+1)); sleep 0.1; done']);
    docker(['run', '-d', '--name', short, 'busybox', 'sh', '-c', 'sleep 1; exit 5']);
    const pid = inspect(counter, '{{.State.Pid}}');
    const linesBefore = docker(['logs', counter]).stdout.split('\n').length;
    await daemon.kill9();
    await sleep(2000);
    await daemon.restart();
    assert.equal(inspect(counter, '{{.State.Status}} {{.State.Pid}}'), `running ${pid}`);
    await waitFor(() => inspect(short, '{{.State.Status}}') === 'exited');
    assert.equal(inspect(short, '{{.State.ExitCode}}'), '5');
    const lines = docker(['logs', counter]).stdout.trim().split('\n');
    assert.ok(lines.length > linesBefore + 15, `logs kept growing while berthd was away: ${linesBefore} → ${lines.length} lines`);
    assert.equal(docker(['exec', counter, 'echo', 'still here']).stdout, 'still here\n');
    assert.equal(docker(['rm', '-f', counter, short]).status, 0);
  });
});
