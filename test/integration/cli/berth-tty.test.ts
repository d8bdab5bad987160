// berth run -it through a real pty (util-linux `script`, which gives berth a terminal of a set
// size): a shell is typed into, its output read, its exit status becomes berth's; ctrl-p
// ctrl-q detaches and leaves the container running. The bytes must be what docker prints: the
// container's "\r\n" unchanged (the terminal's output processing off, as Go's MakeRaw does).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TestDaemon, daemonLeftovers } from '../../support/daemon.js';
import { waitFor } from '../../support/streams.js';
import { packageRoot } from '../../../src/paths.js';

const skip = spawnSync('script', ['--version']).status === 0 ? false : 'util-linux script is missing';

interface PtySession {
  /** Everything the terminal showed so far. */
  readonly output: string;
  type(text: string): void;
  /** Waits until the output matches. */
  expect(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** berth's exit status, once it ends. */
  exited: Promise<number | null>;
  kill(): void;
}

/** berth ARGS on a 30x100 pty. */
function berthOnPty(daemon: TestDaemon, args: string[]): PtySession {
  const command = `stty rows 30 cols 100; exec ${process.execPath} ${join(packageRoot, 'bin', 'berth')} ${args.join(' ')}`;
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    env: { ...process.env, BERTH_HOST: daemon.host, BERTH_NO_AUTOSTART: '1', TERM: 'xterm' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    get output() { return output; },
    type: (text) => child.stdin.write(text),
    async expect(pattern, timeoutMs = 10_000) {
      await waitFor(() => pattern.test(output), timeoutMs).catch(() => {
        throw new Error(`the terminal never showed ${pattern}; it showed ${JSON.stringify(output)}`);
      });
    },
    exited,
    kill: () => { if (child.exitCode === null) child.kill('SIGKILL'); },
  };
}

describe('berth CLI: a terminal', { skip }, () => {
  let daemon: TestDaemon;
  const sessions: PtySession[] = [];
  before(async () => {
    daemon = await TestDaemon.start();
  });
  after(async () => {
    for (const s of sessions) s.kill();
    await daemon.cleanup();
    // Cgroups are global: another daemon's container (a test alongside) may be on its way out.
    await waitFor(() => daemonLeftovers(daemon).length === 0, 10_000).catch(() => {});
    assert.deepEqual(daemonLeftovers(daemon), []);
  });

  it('berth run -it --rm busybox sh: typed commands run, the pty has the terminal\'s size, exit 3 is berth\'s status', async () => {
    const session = berthOnPty(daemon, ['run', '-it', '--rm', 'busybox', 'sh']);
    sessions.push(session);
    await session.expect(/\/ # /);
    session.type('echo $((6*7)); stty size\r');
    await session.expect(/\r\n42\r\n30 100\r\n/);
    session.type('exit 3\r');
    assert.equal(await session.exited, 3, session.output);
    assert.ok(!session.output.includes('\r\r\n'), `the container's newlines reach the terminal unchanged: ${JSON.stringify(session.output)}`);
    await waitFor(async () => (await daemon.request('GET', '/containers/json?all=1')).json().length === 0, 10_000);
  });

  it('ctrl-p ctrl-q detaches: berth exits 0 and the container runs on', async () => {
    const name = daemon.name('detach');
    const session = berthOnPty(daemon, ['run', '-it', '--name', name, 'busybox', 'sh']);
    sessions.push(session);
    await session.expect(/\/ # /);
    session.type('echo attached\r');
    await session.expect(/\r\nattached\r\n/);
    session.type('\x10\x11');
    assert.equal(await session.exited, 0, session.output);
    const state = (await daemon.request('GET', `/containers/${name}/json`)).json().State;
    assert.equal(state.Running, true);
    const rm = daemon.berth(['rm', '-f', name]);
    assert.equal(rm.status, 0, rm.stderr);
  });
});
