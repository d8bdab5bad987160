// berth-runtime as a command, driven the way containerd or a script drives runc; and the same
// bundle run by runc itself, whose view from inside the container must be the same.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, leftovers } from '../../support/sandbox.js';
import { runtimeCommand } from '../../support/fixtures.js';

interface Outcome { status: number | null; stdout: string; stderr: string }

describe('berth-runtime command', () => {
  let sandbox: Sandbox;
  let outputs = 0;
  const cli = (...args: string[]): Outcome => {
    // Files, not pipes: a detached container inherits them and would hold a pipe open.
    const stdout = join(sandbox.dir, `out-${++outputs}`);
    const stderr = join(sandbox.dir, `err-${outputs}`);
    const fds = [openSync(stdout, 'w'), openSync(stderr, 'w')];
    try {
      const r = spawnSync(runtimeCommand, ['--root', sandbox.root, ...args], { stdio: ['ignore', fds[0]!, fds[1]!], timeout: 30_000 });
      return { status: r.status, stdout: readFileSync(stdout, 'utf8'), stderr: readFileSync(stderr, 'utf8') };
    } finally {
      fds.forEach((fd) => closeSync(fd));
    }
  };
  before(() => { sandbox = new Sandbox(); });
  after(async () => { await sandbox.cleanup(); });

  it('writes an example config.json with spec, and refuses to overwrite it', () => {
    const bundle = join(sandbox.dir, 'spec-bundle');
    spawnSync('mkdir', [bundle]);
    assert.equal(cli('spec', '--bundle', bundle).status, 0);
    const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    assert.deepEqual(spec.process.args, ['sh']);
    assert.equal(spec.root.path, 'rootfs');
    const again = cli('spec', '-b', bundle);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /config\.json exists already/);
  });

  it('runs in the foreground and exits with the container\'s code', () => {
    const r = cli('run', '--bundle', sandbox.bundle(['sh', '-c', 'echo out; exit 7']), sandbox.id('fg'));
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.status, 7);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('exits 127 when the program does not exist, with a message naming it', () => {
    const r = cli('run', '-b', sandbox.bundle(['nosuchprogram']), sandbox.id('missing'));
    assert.equal(r.status, 127);
    assert.match(r.stderr, /^berth-runtime: exec: "nosuchprogram": executable file not found in \$PATH\n$/);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('drives the whole lifecycle: create, state, start, list, ps, exec, update, events, pause, resume, kill, delete', () => {
    const id = sandbox.id('life');
    const pidFile = join(sandbox.dir, 'life.pid');
    assert.equal(cli('create', '-b', sandbox.bundle(['sleep', '300']), '--pid-file', pidFile, id).status, 0);
    const created = JSON.parse(cli('state', id).stdout);
    assert.equal(created.status, 'created');
    assert.equal(String(created.pid), readFileSync(pidFile, 'utf8'));
    assert.equal(created.ociVersion, '1.2.0');

    assert.equal(cli('start', id).status, 0);
    const listed = JSON.parse(cli('list', '--format', 'json').stdout);
    assert.deepEqual(listed.map((s: { id: string; status: string }) => [s.id, s.status]), [[id, 'running']]);
    assert.match(cli('list').stdout, new RegExp(`^ID\\s+PID\\s+STATUS\\s+BUNDLE\\s+CREATED\\s+OWNER\\n${id}\\s+${created.pid}\\s+running`));
    assert.deepEqual(JSON.parse(cli('ps', '--format', 'json', id).stdout), [created.pid]);
    assert.match(cli('ps', id).stdout, /sleep 300/);

    const exec = cli('exec', id, 'sh', '-c', 'echo in-container; exit 4');
    assert.equal(exec.stdout, 'in-container\n');
    assert.equal(exec.status, 4);

    assert.equal(cli('update', '--memory', '32m', '--pids-limit', '30', id).status, 0);
    const resourcesFile = join(sandbox.dir, 'resources.json');
    writeFileSync(resourcesFile, JSON.stringify({ cpu: { shares: 256 } }));
    assert.equal(cli('update', '-r', resourcesFile, id).status, 0);
    const stats = JSON.parse(cli('events', '--stats', id).stdout);
    assert.equal(stats.type, 'stats');
    assert.equal(stats.id, id);
    assert.equal(stats.data.memory.usage.limit, 32 * 1024 * 1024);
    assert.equal(stats.data.pids.limit, 30);

    assert.equal(cli('pause', id).status, 0);
    assert.equal(JSON.parse(cli('state', id).stdout).status, 'paused');
    assert.equal(cli('resume', id).status, 0);
    const busy = cli('delete', id);
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /is running: stop it first, or delete with --force/);
    assert.equal(cli('kill', id, 'KILL').status, 0);
    for (let i = 0; i < 100 && JSON.parse(cli('state', id).stdout).status !== 'stopped'; i++) spawnSync('sleep', ['0.05']);
    assert.equal(cli('delete', id).status, 0);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('runs detached and deletes with --force', () => {
    const id = sandbox.id('detached');
    assert.equal(cli('run', '-d', '-b', sandbox.bundle(['sleep', '300']), id).status, 0);
    assert.equal(JSON.parse(cli('state', id).stdout).status, 'running');
    assert.equal(cli('delete', '--force', id).status, 0);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('explains bad input in one line, without a stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['state', 'nope'], /container "nope" does not exist/],
      [['state', '../etc'], /invalid container id "..\/etc"/],
      [['kill', 'nope', 'NOTASIGNAL'], /unknown signal "NOTASIGNAL"/],
      [['create', '-b', join(sandbox.dir, 'missing-bundle'), 'x'], /config\.json does not exist/],
      [['update', '--memory', 'lots', 'x'], /--memory: "lots" is not a size/],
      [['create', '--bogus', 'x'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const badBundle = sandbox.bundle(['true'], { edit: (spec) => { (spec.process as { cwd: unknown }).cwd = 42; } });
    const r = cli('create', '-b', badBundle, sandbox.id('bad'));
    assert.match(r.stderr, /process\.cwd/);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('reports its features as JSON', () => {
    const features = JSON.parse(cli('features').stdout);
    assert.equal(features.ociVersionMax, '1.2.0');
    assert.ok(features.linux.namespaces.includes('user'));
    assert.ok(features.linux.seccomp.actions.includes('SCMP_ACT_ERRNO'));
  });

  it('shows a container the same world as runc does for the same bundle', (t) => {
    if (!existsSync('/usr/sbin/runc') && !existsSync('/usr/bin/runc')) return t.skip('runc is not installed (set-up installs it)');
    const script = 'hostname; id; grep -E "^(Cap|NoNewPrivs|Seccomp:)" /proc/self/status; ls /dev | tr "\\n" " "; echo; '
      + 'cat /proc/self/mountinfo | cut -d" " -f5,9 | sort | tr "\\n" " "; echo; ulimit -n; umask; ls /sys/class/net';
    const bundle = sandbox.bundle(['sh', '-c', script]);
    const runcRoot = join(sandbox.dir, 'runc-root');
    const runc = spawnSync('runc', ['--root', runcRoot, 'run', '--bundle', bundle, sandbox.id('runc')], { encoding: 'utf8', timeout: 30_000 });
    spawnSync('runc', ['--root', runcRoot, 'delete', '--force', sandbox.id('runc')]);
    assert.equal(runc.status, 0, runc.stderr);
    const berth = cli('run', '--bundle', bundle, sandbox.id('same'));
    assert.equal(berth.status, 0, berth.stderr);
    assert.equal(berth.stdout, runc.stdout);
  });
});
