// berth's container commands against a private berthd: run in the foreground and detached,
// exit statuses, logs, ps, exec, rm.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon, daemonLeftovers } from '../../support/daemon.js';

describe('berth CLI: containers', () => {
  let daemon: TestDaemon;
  before(async () => {
    daemon = await TestDaemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    assert.deepEqual(daemonLeftovers(daemon), []);
  });

  it('berth run --rm busybox echo hello prints hello and leaves no container', () => {
    const r = daemon.berth(['run', '--rm', 'busybox', 'echo', 'hello']);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'hello\n');
    assert.equal(r.status, 0);
    assert.equal(daemon.berth(['ps', '-aq']).stdout, '');
  });

  it('exits with the container\'s status, and keeps stdout and stderr apart', () => {
    const r = daemon.berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  it('passes stdin with -i and ends it at EOF', () => {
    const r = daemon.berth(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], { input: 'line one\nline two\n' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'line one\nline two\ndone\n');
  });

  it('exits 127 for a program that is not in the image', () => {
    const r = daemon.berth(['run', '--rm', 'busybox', 'no-such-program']);
    assert.equal(r.status, 127, r.stderr);
  });

  it('run -d prints the id; logs, ps, exec, stop and rm -f work on it', () => {
    const name = daemon.name('bg');
    const run = daemon.berth(['run', '-d', '--name', name, '-e', 'GREETING=hi', 'busybox', 'sh', '-c', 'echo "$GREETING from bg"; echo to-stderr >&2; exec sleep 300']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^[0-9a-f]{64}\n$/);
    const id = run.stdout.trim();
    try {
      let logs = daemon.berth(['logs', name]);
      for (let i = 0; i < 50 && !logs.stdout.includes('hi from bg'); i++) {
        spawnSleep(100);
        logs = daemon.berth(['logs', name]);
      }
      assert.equal(logs.stdout, 'hi from bg\n');
      assert.equal(logs.stderr, 'to-stderr\n');

      const ps = daemon.berth(['ps']);
      assert.equal(ps.status, 0, ps.stderr);
      const [header, ...rows] = ps.stdout.trimEnd().split('\n');
      assert.match(header!, /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
      const row = rows.find((r) => r.endsWith(name));
      assert.ok(row, ps.stdout);
      assert.match(row!, new RegExp(`^${id.slice(0, 12)} +busybox +"sh -c .+…" +.* ago +Up .+ +${name}$`));
      assert.equal(daemon.berth(['ps', '-q', '--no-trunc', '--filter', `name=${name}`]).stdout, `${id}\n`);
      assert.equal(daemon.berth(['inspect', '--format', '{{.State.Running}} {{.Name}}', name]).stdout, `true /${name}\n`);

      const exec = daemon.berth(['exec', name, 'sh', '-c', 'echo exec:$GREETING; exit 4']);
      assert.equal(exec.stdout, 'exec:hi\n');
      assert.equal(exec.status, 4, exec.stderr);

      const rm = daemon.berth(['rm', '-f', name]);
      assert.equal(rm.status, 0, rm.stderr);
      assert.equal(rm.stdout, `${name}\n`);
      assert.equal(daemon.berth(['ps', '-aq', '--filter', `name=${name}`]).stdout, '');
    } finally {
      daemon.berth(['rm', '-f', id]);
    }
  });

  it('create, start -a and wait report the exit status', () => {
    const name = daemon.name('created');
    const create = daemon.berth(['create', '--name', name, 'busybox', 'sh', '-c', 'echo started; exit 5']);
    assert.equal(create.status, 0, create.stderr);
    try {
      const start = daemon.berth(['start', '-a', name]);
      assert.equal(start.stdout, 'started\n');
      assert.equal(start.status, 5, start.stderr);
      const wait = daemon.berth(['wait', name]);
      assert.equal(wait.stdout, '5\n');
      assert.match(daemon.berth(['ps', '-a', '--format', '{{.Names}} {{.Status}}', '--filter', `name=${name}`]).stdout, new RegExp(`^${name} Exited \\(5\\) .* ago\\n$`));
    } finally {
      daemon.berth(['rm', '-f', name]);
    }
  });

  it('reports an unknown container with the daemon\'s message and 1, as docker does', () => {
    const r = daemon.berth(['rm', 'no-such-container-here']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^Error response from daemon: No such container: no-such-container-here/);
  });
});

function spawnSleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
