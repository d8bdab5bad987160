import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookFailed, hookKinds, runHooks, runHooksBestEffort } from '../../../src/runtime/hooks.js';
import { isSameLiveProcess } from '../../../src/runtime/container/process-identity.js';
import type { Hook, State } from '../../../src/runtime/spec/types.js';

const state: State = { ociVersion: '1.2.0', id: 'c1', status: 'creating', pid: 4242, bundle: '/bundles/c1', annotations: { a: 'b' } };

/** A hook running `script` in /bin/sh, with `env`. */
const sh = (script: string, env: string[] = [], extra: Partial<Hook> = {}): Hook =>
  ({ path: '/bin/sh', args: ['sh', '-c', script], env, ...extra });

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isSameLiveProcess(pid, '')) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('hooks', () => {
  let dir: string;
  const strayPids: number[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-hooks-'));
  });
  after(() => {
    for (const pid of strayPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string) => join(dir, name);
  const read = (name: string) => readFileSync(file(name), 'utf8');

  it('lists the hook kinds in lifecycle order', () => {
    assert.deepEqual(hookKinds, ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
  });

  it('gives the hook the container state as JSON on stdin', async () => {
    await runHooks('createRuntime', [sh('cat > "$OUT"', [`OUT=${file('state')}`])], state);
    assert.deepEqual(JSON.parse(read('state')), state);
  });

  it('gives the hook exactly its env, nothing of the runtime\'s', async () => {
    process.env.BERTH_TEST_LEAK = 'leaked';
    try {
      // /proc/$$/environ is the environment the shell was executed with, before it adds its own.
      await runHooks('prestart', [sh('tr "\\0" "\\n" < /proc/$$/environ > "$OUT"', [`OUT=${file('env')}`, 'X=1', 'X=2', 'EMPTY='])], state);
    } finally {
      delete process.env.BERTH_TEST_LEAK;
    }
    // A repeated key keeps its last value.
    assert.deepEqual(read('env').split('\n').filter(Boolean).sort(), ['EMPTY=', `OUT=${file('env')}`, 'X=2']);
  });

  it('uses args[0] as argv[0], not the path', async () => {
    const script = 'tr "\\0" " " < /proc/$$/cmdline > "$OUT"';
    await runHooks('poststart', [{ path: '/bin/sh', args: ['custom-name', '-c', script], env: [`OUT=${file('argv')}`] }], state);
    assert.match(read('argv'), /^custom-name -c /);
  });

  it('runs hooks in order', async () => {
    const out = `OUT=${file('order')}`;
    await runHooks('createContainer', [sh('echo one >> "$OUT"', [out]), sh('echo two >> "$OUT"', [out]), sh('echo three >> "$OUT"', [out])], state);
    assert.equal(read('order'), 'one\ntwo\nthree\n');
  });

  it('does nothing without hooks', async () => {
    await runHooks('prestart', undefined, state);
    await runHooks('prestart', [], state);
    assert.deepEqual(await runHooksBestEffort('poststop', undefined, state), []);
  });

  it('fails with the kind, index, path, status and stderr, and runs no later hook', async () => {
    const out = `OUT=${file('after-failure')}`;
    await assert.rejects(runHooks('createRuntime', [
      sh('exit 0'),
      sh('echo "some output"; echo "hook says: boom" >&2; exit 3'),
      sh('echo ran > "$OUT"', [out]),
    ], state), (err: Error) => {
      assert.ok(err instanceof HookFailed);
      assert.equal(err.name, 'FailedPrecondition');
      assert.equal(err.message, 'createRuntime hook 1 (/bin/sh) exited with status 3: hook says: boom');
      assert.equal(err.hookKind, 'createRuntime');
      assert.equal(err.index, 1);
      assert.equal(err.outcome.exitCode, 3);
      assert.equal(err.outcome.stdout, 'some output\n');
      return true;
    });
    assert.equal(existsSync(file('after-failure')), false);
  });

  it('falls back to stdout in the message when stderr is empty', async () => {
    await assert.rejects(runHooks('prestart', [sh('echo "only stdout"; exit 1')], state), {
      message: 'prestart hook 0 (/bin/sh) exited with status 1: only stdout',
    });
    await assert.rejects(runHooks('prestart', [sh('exit 2')], state), { message: 'prestart hook 0 (/bin/sh) exited with status 2' });
  });

  it('reports a hook killed by a signal', async () => {
    await assert.rejects(runHooks('poststart', [sh('kill -TERM $$')], state), {
      name: 'FailedPrecondition', message: 'poststart hook 0 (/bin/sh) was killed by signal SIGTERM',
    });
  });

  it('reports a hook that cannot be executed', async () => {
    await assert.rejects(runHooks('prestart', [{ path: join(dir, 'no-such-hook') }], state), (err: Error) => {
      assert.ok(err instanceof HookFailed);
      assert.equal(err.message, `prestart hook 0 (${join(dir, 'no-such-hook')}) could not be started: spawn ${join(dir, 'no-such-hook')} ENOENT`);
      return true;
    });
  });

  it('kills a hook that outlives its timeout, with what it started', async () => {
    const started = Date.now();
    await assert.rejects(runHooks('createRuntime', [sh('sleep 30 & echo $! > "$PIDFILE"; wait', [`PIDFILE=${file('sleep.pid')}`], { timeout: 1 })], state), {
      name: 'FailedPrecondition', message: 'createRuntime hook 0 (/bin/sh) did not finish within its timeout of 1s and was killed',
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 10_000, `took ${elapsed} ms`);
    const sleepPid = Number(read('sleep.pid'));
    strayPids.push(sleepPid);
    assert.ok(await waitUntilGone(sleepPid, 5000), `sleep ${sleepPid} survived its hook`);
  });

  it('does not wait for a background process that keeps the output pipes open', async () => {
    const started = Date.now();
    await runHooks('poststart', [sh('sleep 30 & echo $! > "$PIDFILE"', [`PIDFILE=${file('bg.pid')}`])], state);
    strayPids.push(Number(read('bg.pid')));
    assert.ok(Date.now() - started < 5000);
  });

  it('ignores a hook that does not read a large state', async () => {
    const big: State = { ...state, annotations: { big: 'x'.repeat(1 << 20) } };
    await runHooks('prestart', [sh('exit 0')], big);
  });

  it('refuses a relative path, a bad env entry or a bad timeout before running anything', async () => {
    await assert.rejects(runHooks('prestart', [{ path: 'hook' }], state), {
      name: 'InvalidArgument', message: 'prestart hook 0: path "hook" must be absolute',
    });
    await assert.rejects(runHooks('poststop', [sh('exit 0', ['NOVALUE'])], state), {
      name: 'InvalidArgument', message: 'poststop hook 0 (/bin/sh): env entry "NOVALUE" is not KEY=value',
    });
    await assert.rejects(runHooks('poststop', [sh('exit 0', [], { timeout: 1.5 })], state), {
      name: 'InvalidArgument', message: 'poststop hook 0 (/bin/sh): timeout must be a positive number of seconds',
    });
  });

  it('best effort: runs every hook and returns the failures', async () => {
    const out = `OUT=${file('best-effort')}`;
    const failures = await runHooksBestEffort('poststop', [
      sh('echo first >&2; exit 1'),
      { path: 'relative' },
      sh('echo ran > "$OUT"', [out]),
    ], state);
    assert.equal(read('best-effort'), 'ran\n');
    assert.deepEqual(failures.map((f) => [f.name, f.message]), [
      ['FailedPrecondition', 'poststop hook 0 (/bin/sh) exited with status 1: first'],
      ['InvalidArgument', 'poststop hook 1: path "relative" must be absolute'],
    ]);
  });
});
