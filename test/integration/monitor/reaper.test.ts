// berth-reaper as PID 1 of a container (docker run --init): bind-mounted read-only from the
// host, it runs the program as its child, reaps orphans, forwards signals and passes the exit
// status on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Sandbox, leftovers } from '../../support/sandbox.js';
import { defaultReaperBinary } from '../../../src/paths.js';
import type { Spec } from '../../../src/runtime/spec/types.js';

const piped = ['ignore', 'pipe', 'pipe'] as const;

function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0]!;
  } catch {
    return 'gone';
  }
}

/** The pids of a process's children (none once it is gone). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('berth-reaper', () => {
  let sandbox: Sandbox;
  before(() => { sandbox = new Sandbox(); });
  after(async () => { await sandbox.cleanup(); });

  /** A bundle whose PID 1 is berth-reaper running `args`. */
  function reaperBundle(args: string[]): string {
    return sandbox.bundle(['/sbin/berth-reaper', '--', ...args], {
      writableRootfs: true, // the bind mount's target file is made in the rootfs
      edit: (spec: Spec) => {
        spec.mounts!.push({ destination: '/sbin/berth-reaper', type: 'bind', source: defaultReaperBinary(), options: ['bind', 'ro'] });
      },
    });
  }

  it('passes the exit code of its child on, and is PID 1', async () => {
    const result = await sandbox.runtime.run(sandbox.id('code'), {
      bundle: reaperBundle(['sh', '-c', 'echo "pid $$ parent $PPID"; exit 7']),
      stdio: [...piped],
    });
    assert.equal(result.stdout, 'pid 2 parent 1\n');
    assert.equal(result.exitCode, 7);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('reaps orphans that become zombies', async () => {
    // The subshell exits at once; its sleep is orphaned to PID 1 and exits 0.1 s later, while
    // the program itself (exec'd sleep) reaps nothing. Seen from the host half a second in.
    const states = async (name: string, bundle: string): Promise<string[]> => {
      let seen: Promise<string[]> | undefined;
      const result = await sandbox.runtime.run(sandbox.id(name), {
        bundle,
        stdio: [...piped],
        // The children of the container's PID 1, zombies included (cgroup.procs has none).
        onStart: (init) => {
          seen = new Promise((resolve) => setTimeout(() => {
            const children = readFileSync(`/proc/${init.pid}/task/${init.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
            resolve(children.map((pid) => processState(Number(pid))));
          }, 500));
        },
      });
      assert.equal(result.exitCode, 0);
      return seen!;
    };
    const script = ['sh', '-c', '(sleep 0.1 &); exec sleep 1'];
    const reaped = await states('zombie', reaperBundle(script));
    assert.deepEqual(reaped, ['S'], 'only the program (sleep) is left');
    assert.ok(!reaped.includes('Z'), `no zombie: ${reaped}`);
    // The same without the reaper leaves one: the check above means something.
    const bare = await states('bare', sandbox.bundle(script));
    assert.ok(bare.includes('Z'), `a zombie: ${bare}`);
  });

  it('forwards SIGTERM to its child, and reports death by signal as 128 + n', async () => {
    const trapped = await sandbox.runtime.run(sandbox.id('term'), {
      bundle: reaperBundle(['sh', '-c', 'trap "echo got-term; exit 3" TERM; echo ready; while true; do sleep 0.05; done']),
      stdio: [...piped],
      // Once the shell is in its loop (a sleep of its own is running), its trap is set. Output
      // is no sign: run reads it from the start, and a listener added here may come after it.
      onStart: (init) => {
        const loopRunning = () => childrenOf(childrenOf(init.pid)[0] ?? 0).length > 0;
        const poll = setInterval(() => {
          if (!loopRunning()) return;
          clearInterval(poll);
          process.kill(init.pid, 'SIGTERM');
        }, 10);
      },
    });
    assert.equal(trapped.stdout, 'ready\ngot-term\n');
    assert.equal(trapped.exitCode, 3);

    const killed = await sandbox.runtime.run(sandbox.id('term-default'), {
      bundle: reaperBundle(['sleep', '300']),
      stdio: [...piped],
      onStart: (init) => { setTimeout(() => process.kill(init.pid, 'SIGTERM'), 100); },
    });
    assert.equal(killed.exitCode, 143);
  });
});
