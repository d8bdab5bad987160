// berth's exit statuses and messages for failures, compared with the real docker CLI's against
// the same berthd: docker exits 125 only for bad flags and for any failure of `run`; every other
// failure (a daemon error, a wrong number of arguments) is 1. Image references name
// 127.0.0.1:1, so no pull leaves the host.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon, daemonLeftovers, dockerCli, hasDockerCli } from '../../support/daemon.js';
import { waitFor } from '../../support/streams.js';

const skip = hasDockerCli ? false : `${dockerCli} is missing: the comparisons with the docker CLI cannot run`;

describe('berth CLI: exit statuses as docker\'s', { skip }, () => {
  let daemon: TestDaemon;
  before(async () => {
    daemon = await TestDaemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    await waitFor(() => daemonLeftovers(daemon).length === 0, 10_000).catch(() => {});
    assert.deepEqual(daemonLeftovers(daemon), []);
  });

  /** The same command through both CLIs: the same status, and the same stderr but for the program's name. */
  function same(args: string[], expected: number, options: { compareStderr?: boolean } = {}): void {
    const docker = daemon.docker(args);
    const berth = daemon.berth(args);
    assert.equal(docker.status, expected, `docker ${args.join(' ')}: ${docker.stderr}`);
    assert.equal(berth.status, expected, `berth ${args.join(' ')}: ${berth.stderr}`);
    if (options.compareStderr ?? true) assert.equal(berth.stderr, docker.stderr.replace(/\bdocker\b/g, 'berth'), `berth ${args.join(' ')}`);
  }

  it('daemon errors: 1 with the daemon\'s message', () => {
    same(['network', 'rm', 'nosuch'], 1);
    same(['network', 'inspect', 'nosuch'], 1);
    same(['network', 'connect', 'nosuch', 'nosuch'], 1);
    same(['port', 'nosuch'], 1);
    same(['rm', 'nosuch'], 1);
    same(['stop', 'nosuch'], 1);
    same(['kill', 'nosuch'], 1);
    same(['wait', 'nosuch'], 1);
    same(['inspect', 'nosuch'], 1);
    same(['container', 'inspect', 'nosuch'], 1);
    same(['image', 'inspect', 'nosuch'], 1);
    same(['rmi', 'nosuch'], 1);
    same(['logs', 'nosuch'], 1);
    same(['exec', 'nosuch', 'true'], 1);
    same(['tag', 'nosuch', 'other'], 1);
    same(['ps', '--filter', 'bogus=1'], 1);
    same(['pull', '127.0.0.1:1/nosuchimage-local-only'], 1);
    same(['start', 'nosuch'], 1); // and "Error: failed to start containers: nosuch"
    same(['rename', 'nosuch', 'other'], 1); // and "Error: failed to rename container named nosuch"
  });

  it('run fails with 125 (a pointer to --help), create with 1 (the message alone)', () => {
    same(['run', '127.0.0.1:1/nosuchimage-local-only'], 125);
    same(['create', '127.0.0.1:1/nosuchimage-local-only'], 1);
    const name = daemon.name('taken');
    assert.equal(daemon.berth(['create', '--name', name, 'busybox', 'true']).status, 0);
    same(['run', '--name', name, 'busybox'], 125, { compareStderr: false });
    same(['create', '--name', name, 'busybox'], 1, { compareStderr: false });
    assert.match(daemon.berth(['create', '--name', name, 'busybox']).stderr, /^Error response from daemon: Conflict\. The container name/);
  });

  it('start -a of a container that cannot start: 1, not run\'s 127', () => {
    const name = daemon.name('broken');
    assert.equal(daemon.berth(['create', '--name', name, 'busybox', 'no-such-program']).status, 0);
    same(['start', '-a', name], 1);
    same(['start', name], 1);
  });

  it('bad flags are 125; a wrong number of arguments is 1; a local failure is 1', () => {
    same(['ps', '--bogus'], 125, { compareStderr: false });
    same(['rm'], 1, { compareStderr: false });
    same(['run'], 1, { compareStderr: false });
    same(['network', 'rm'], 1, { compareStderr: false });
    same(['load', '-i', '/nonexistent/archive.tar'], 1);
  });
});
