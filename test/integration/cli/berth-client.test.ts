// berth, the docker-compatible CLI, against a private berthd: system and image commands,
// errors and exit statuses, and the connection rules.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDaemon, daemonLeftovers } from '../../support/daemon.js';
import { packageRoot } from '../../../src/paths.js';

describe('berth CLI: system and images', () => {
  let daemon: TestDaemon;
  before(async () => {
    daemon = await TestDaemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    assert.deepEqual(daemonLeftovers(daemon), []);
  });

  it('berth version shows the client and the daemon', () => {
    const r = daemon.berth(['version']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Client:\n Version: +\S+\n API version: +1\.\d+/);
    assert.match(r.stdout, /\nServer: berth\n Engine:\n  Version: +\S+\n  API version: +1\.43 \(minimum version 1\.\d+\)/);
    const formatted = daemon.berth(['version', '--format', '{{.Server.ApiVersion}}']);
    assert.equal(formatted.stdout, '1.43\n');
  });

  it('berth info shows the daemon facts', () => {
    const r = daemon.berth(['info']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\nServer:\n Containers: \d+\n  Running: \d+/);
    assert.match(r.stdout, / Images: 1\n/);
    assert.match(r.stdout, new RegExp(` Docker Root Dir: ${daemon.dataRoot}\n`));
    assert.equal(daemon.berth(['info', '--format', '{{.Images}}']).stdout, '1\n');
  });

  it('berth images lists busybox in docker\'s columns', () => {
    const r = daemon.berth(['images']);
    assert.equal(r.status, 0, r.stderr);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    assert.match(header!, /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
    assert.match(rows.join('\n'), /^busybox +latest +[0-9a-f]{12} +(Less than a second|\d+ seconds?|About a minute|\d+ minutes) ago +[\d.]+[kMG]?B$/m);
    const quiet = daemon.berth(['images', '-q']);
    assert.match(quiet.stdout, /^[0-9a-f]{12}\n$/);
    const same = daemon.berth(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(same.stdout, 'busybox:latest\n');
  });

  it('berth inspect --format prints the image id; the default is docker\'s indented array', () => {
    const id = daemon.request('GET', '/images/busybox/json').then((res) => res.json().Id as string);
    const r = daemon.berth(['inspect', '--format', '{{.Id}}', 'busybox']);
    assert.equal(r.status, 0, r.stderr);
    return id.then((expected) => {
      assert.equal(r.stdout, `${expected}\n`);
      const full = daemon.berth(['image', 'inspect', 'busybox']);
      assert.equal(full.status, 0, full.stderr);
      assert.match(full.stdout, /^\[\n {4}\{\n {8}"Id": "sha256:/);
      assert.equal(JSON.parse(full.stdout)[0].Id, expected);
    });
  });

  it('berth tag and rmi add and remove a name', () => {
    const tag = daemon.berth(['tag', 'busybox', 'localhost:5000/team/bb:v1']);
    assert.equal(tag.status, 0, tag.stderr);
    const listed = daemon.berth(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout.split('\n').filter(Boolean).sort();
    assert.deepEqual(listed, ['busybox:latest', 'localhost:5000/team/bb:v1']);
    const rmi = daemon.berth(['rmi', 'localhost:5000/team/bb:v1']);
    assert.equal(rmi.status, 0, rmi.stderr);
    assert.equal(rmi.stdout, 'Untagged: localhost:5000/team/bb:v1\n');
    assert.equal(daemon.berth(['images', '-q']).stdout.split('\n').filter(Boolean).length, 1);
  });

  it('fails with 1 (docker\'s status) and the daemon\'s message for an unknown image', () => {
    const r = daemon.berth(['image', 'inspect', 'no-such-image-here']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '[]\n');
    assert.match(r.stderr, /^Error response from daemon: .*no-such-image-here/m);
    const rmi = daemon.berth(['rmi', 'no-such-image-here']);
    assert.equal(rmi.status, 1);
    assert.match(rmi.stderr, /^Error response from daemon: .*No such image.*no-such-image-here/im);
    const untyped = daemon.berth(['inspect', 'no-such-image-here']);
    assert.equal(untyped.status, 1);
    assert.match(untyped.stderr, /^Error: No such object: no-such-image-here$/m);
  });

  it('refuses bad flags with 125 and a pointer to --help; an unknown command with 1', () => {
    const r = daemon.berth(['ps', '--bogus']);
    assert.equal(r.status, 125);
    assert.match(r.stderr, /unknown flag: --bogus/);
    assert.match(r.stderr, /Run 'berth ps --help'/);
    const unknown = daemon.berth(['frobnicate']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /'frobnicate' is not a berth command/);
  });

  it('prints help per command', () => {
    const r = daemon.berth(['run', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage:  berth run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]/);
    assert.match(r.stdout, /-v, --volume list/);
  });

  it('logs in and out: credentials land in the config directory', async () => {
    const config = mkdtempSync(join(tmpdir(), 'berth-config-'));
    try {
      const logout = spawnSync(process.execPath, [join(packageRoot, 'bin', 'berth'), 'logout', 'localhost:1'], {
        env: { ...process.env, BERTH_CONFIG: config, BERTH_HOST: daemon.host, BERTH_NO_AUTOSTART: '1' }, encoding: 'utf8',
      });
      assert.equal(logout.status, 0, logout.stderr);
      assert.equal(logout.stdout, 'Not logged in to localhost:1\n');
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });
});

describe('berth CLI: finding the daemon', () => {
  it('says clearly that nobody serves the socket, and exits 1 (125 for run)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-nodaemon-'));
    try {
      const host = `unix://${join(dir, 'none.sock')}`;
      const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'berth'), 'ps'], {
        env: { ...process.env, BERTH_HOST: host, DOCKER_HOST: '', BERTH_NO_AUTOSTART: '1' }, encoding: 'utf8',
      });
      assert.equal(r.status, 1);
      assert.equal(r.stderr, `Cannot connect to the berth daemon at ${host}. Is berthd running?\n`);
      const run = spawnSync(process.execPath, [join(packageRoot, 'bin', 'berth'), '-H', host, 'run', 'busybox'], {
        env: { ...process.env, BERTH_NO_AUTOSTART: '1' }, encoding: 'utf8',
      });
      assert.equal(run.status, 125);
      assert.match(run.stderr, /Cannot connect to the berth daemon at .*none\.sock\. Is berthd running\?/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prefers -H over BERTH_HOST over DOCKER_HOST', async () => {
    const { resolveHost } = await import('../../../src/cli/berth/daemon-connection.js');
    assert.deepEqual(resolveHost({ host: 'unix:///a' }, { BERTH_HOST: 'unix:///b', DOCKER_HOST: 'unix:///c' }), { host: 'unix:///a', explicit: true });
    assert.deepEqual(resolveHost({}, { BERTH_HOST: 'unix:///b', DOCKER_HOST: 'unix:///c' }), { host: 'unix:///b', explicit: true });
    assert.deepEqual(resolveHost({}, { DOCKER_HOST: 'unix:///c' }), { host: 'unix:///c', explicit: true });
    // Without a host named, where berthd's daemon.json says it listens (this host has none in
    // /etc/berth: the default socket).
    assert.deepEqual(resolveHost({}, {}), { host: 'unix:///run/berth/berth.sock', explicit: false, daemonConfig: undefined, execRoot: '/run/berth' });
    const dir = mkdtempSync(join(tmpdir(), 'berth-daemon-json-'));
    try {
      const config = join(dir, 'daemon.json');
      writeFileSync(config, JSON.stringify({ 'exec-root': join(dir, 'run') }));
      assert.deepEqual(resolveHost({}, { BERTH_DAEMON_CONFIG: config }),
        { host: `unix://${join(dir, 'run', 'berth.sock')}`, explicit: false, daemonConfig: config, execRoot: join(dir, 'run') });
      writeFileSync(config, JSON.stringify({ 'exec-root': join(dir, 'run'), hosts: ['unix:///elsewhere.sock'] }));
      assert.equal(resolveHost({}, { BERTH_DAEMON_CONFIG: config }).host, 'unix:///elsewhere.sock');
      assert.equal(resolveHost({ host: 'unix:///a' }, { BERTH_DAEMON_CONFIG: config }).host, 'unix:///a');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
