// Settings berthd refuses are refused at `POST /containers/create` (400, Docker's message), as
// dockerd does, so `docker create` fails rather than a later `docker start`: bad binds and
// mounts, tmpfs options, ulimits, sysctls, memory limits, capabilities, security options,
// container:<unknown> namespace modes. Nothing is created on the way: no container, no host
// directory for a -v source.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { daemonForSuite, dockerCli, hasDockerCli } from '../../support/daemon.js';

const skip = hasDockerCli ? false : `${dockerCli} is missing: the docker CLI tests cannot run`;

describe('berthd: settings checked at create', { skip }, () => {
  const suite = daemonForSuite();

  async function containerCount(): Promise<number> {
    return (await suite.daemon.request('GET', '/containers/json?all=1')).json<unknown[]>().length;
  }

  it('docker create fails (status 1, the daemon\'s message) and leaves no container', async () => {
    const cases: Array<[string[], string]> = [
      [['--memory', '1m'], 'Minimum memory limit allowed is 6MB'],
      [['--memory', '10m', '--memory-swap', '8m'], 'Minimum memoryswap limit should be larger than memory limit, see usage'],
      [['--cap-add', 'NOPE'], 'invalid CapAdd: unknown capability: "CAP_NOPE"'],
      [['--cap-drop', 'nope'], 'invalid CapDrop: unknown capability: "CAP_NOPE"'],
      [['--security-opt', 'foo=bar'], 'invalid --security-opt 2: "foo=bar"'],
      [['--pid', 'container:nosuch'], 'No such container: nosuch'],
      [['--ipc', 'container:nosuch'], 'No such container: nosuch'],
      [['--tmpfs', '/t:bogus'], 'invalid tmpfs option ["bogus"]'],
      [['--sysctl', 'net.ipv4.ip_forward=1', '--network', 'host'], 'sysctl "net.ipv4.ip_forward" not allowed in host network namespace'],
      [['--mount', 'type=bind,src=/nosuch-berth-dir,dst=/x'], 'invalid mount config for type "bind": bind source path does not exist: /nosuch-berth-dir'],
      [['-v', '/tmp:/x:bogus'], 'invalid mode: bogus'],
      [['-v', 'a/b:/x'], 'create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'],
      [['-w', 'relative'], 'the working directory \'relative\' is invalid, it needs to be an absolute path'],
      [['--oom-score-adj', '2000'], 'Invalid value 2000, range for oom score adj is [-1000, 1000]'],
    ];
    const before = await containerCount();
    for (const [flags, message] of cases) {
      const r = suite.daemon.docker(['create', ...flags, 'busybox', 'true']);
      assert.equal(r.status, 1, `docker create ${flags.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr, `Error response from daemon: ${message}\n`, flags.join(' '));
      assert.equal(r.stdout, '');
    }
    assert.equal(await containerCount(), before);
    // docker run stops at the same point, with run's status.
    const run = suite.daemon.docker(['run', '--rm', '--memory', '1m', 'busybox', 'true']);
    assert.equal(run.status, 125);
    assert.match(run.stderr, /^docker: Error response from daemon: Minimum memory limit allowed is 6MB\n/);
    assert.equal(await containerCount(), before);
  });

  it('the API answers 400 with the message for what the CLI does not check itself', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ Binds: ['rel/path:/x'] }, 'create rel/path: "rel/path" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'],
      [{ Binds: ['/a:/b:/c:/d'] }, 'invalid volume specification: \'/a:/b:/c:/d\''],
      [{ Binds: [':/x'] }, 'invalid volume specification: \':/x\''],
      [{ Binds: ['/tmp:relative'] }, 'invalid volume specification: \'/tmp:relative\': invalid mount config for type "bind": invalid mount path: \'relative\' mount path must be absolute'],
      [{ Tmpfs: { '/t': 'size=1m,frobnicate' } }, 'invalid tmpfs option ["frobnicate"]'],
      [{ Ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] }, 'invalid ulimit type: bogus'],
      [{ Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 5 }] }, 'ulimit soft limit must be less than or equal to hard limit: 10 > 5'],
      [{ Memory: 1024 }, 'Minimum memory limit allowed is 6MB'],
      [{ MemorySwap: 64 * 1024 * 1024 }, 'You should always set the Memory limit when using Memoryswap limit, see usage'],
      [{ SecurityOpt: ['bogus'] }, 'invalid --security-opt 1: "bogus"'],
      [{ UTSMode: 'sideways' }, 'invalid UTS mode: sideways'],
      [{ PidMode: 'container:nosuch' }, 'No such container: nosuch'],
      [{ Sysctls: { 'kernel.hostname': 'x' }, UTSMode: 'host' }, 'sysctl "kernel.hostname" not allowed in host UTS namespace'],
      [{ Mounts: [{ Type: 'tmpfs', Target: '/t', Source: '/x' }] }, 'invalid mount config for type "tmpfs": field Source must not be specified'],
    ];
    const before = await containerCount();
    for (const [hostConfig, message] of cases) {
      const r = await suite.daemon.request('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: hostConfig });
      assert.equal(r.status, 400, `${JSON.stringify(hostConfig)}: ${r.body}`);
      assert.equal(r.json().message, message);
    }
    assert.equal(await containerCount(), before);
  });

  it('valid settings still create; a -v host directory is made at start, not at create; container:<x> needs x only to exist', async () => {
    const d = suite.daemon;
    const hostDir = join(d.dir, 'made-at-start');
    const name = d.name('bind');
    const create = d.docker(['create', '--name', name, '-v', `${hostDir}:/data`, '--memory', '64m', '--cap-add', 'net_admin', '--tmpfs', '/t:size=1m', 'busybox', 'true']);
    assert.equal(create.status, 0, create.stderr);
    assert.ok(!existsSync(hostDir), 'create only checks');
    const start = d.docker(['start', '-a', name]);
    assert.equal(start.status, 0, start.stderr);
    assert.ok(existsSync(hostDir), 'start makes the missing host directory, as Docker does');

    // Joining a container that exists but is not running is refused only at start.
    const joiner = d.docker(['create', '--ipc', `container:${name}`, 'busybox', 'true']);
    assert.equal(joiner.status, 0, joiner.stderr);
    const started = d.docker(['start', joiner.stdout.trim()]);
    assert.equal(started.status, 1);
    assert.match(started.stderr, /is not running/);
  });
});
