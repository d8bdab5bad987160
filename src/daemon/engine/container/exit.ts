// A container's exit, whoever sees it first: the monitor's EXIT record while berthd holds a
// connection, or the monitor's exit file when berthd was away. The exit is recorded, the
// runtime's state and cgroups go, the rootfs is unmounted, waiters are told, and then
// AutoRemove or the restart policy decide what happens next.
import { rm } from 'node:fs/promises';
import type { MonitorClient } from '../../../monitor/client.js';
import { readExitFile } from '../../../monitor/exit-file.js';
import { eventAttributes, type ContainerContext, type ContainerExit } from './context.js';
import type { ContainerRecord } from './record.js';
import { removeLocked } from './remove.js';
import { runFiles } from './run-files.js';
import { runtimeFor } from './container-runtime.js';
import { startLocked } from './start.js';

/** Containers stopped or killed by a user: their restart policy does not bring them back. */
export const stoppedByUser = new Set<string>();

/** Follows the container's exit through its monitor connection. */
export function followExit(ctx: ContainerContext, record: ContainerRecord, monitor: MonitorClient): void {
  monitor.exited()
    .then((exit) => exit, () => undefined)
    .then(async (exit) => {
      monitor.close();
      const known = exit ?? (await readExitFile(runFiles(ctx, record.id).exitFile));
      // A monitor that vanished without a word: the container died with it (Docker reports 255).
      await ctx.locks.run(record.id, () => recordExit(ctx, record, known ?? { exitCode: 255, oomKilled: false }));
    })
    .catch((err: unknown) => process.stderr.write(`berthd: container ${record.id}: exit handling: ${String(err)}\n`));
}

export async function recordExit(ctx: ContainerContext, record: ContainerRecord, exit: ContainerExit): Promise<void> {
  if (record.state.status !== 'running' && record.state.status !== 'paused' && record.state.status !== 'restarting') return;
  await Promise.resolve().then(() => runtimeFor(ctx, record).delete(record.id, { force: true })).catch(() => {});
  // The network and the filesystem are released side by side.
  await Promise.all([
    ctx.networking.detach(record).catch((err: unknown) => process.stderr.write(`berthd: container ${record.id}: network teardown: ${String(err)}\n`)),
    (async () => {
      await ctx.images.driver.unmountContainer(record.id).catch(() => {});
      await rm(runFiles(ctx, record.id).dir, { recursive: true, force: true }).catch(() => {});
    })(),
  ]);
  record.state = {
    ...record.state,
    status: 'exited',
    pid: 0,
    exitCode: exit.exitCode,
    oomKilled: exit.oomKilled,
    finishedAt: new Date().toISOString(),
  };
  // A container about to be removed is not worth a durable write of its end.
  if (!record.hostConfig.AutoRemove) await ctx.store.save(record);
  if (exit.oomKilled) ctx.events.publish('container', 'oom', record.id, eventAttributes(record));
  ctx.events.publish('container', 'die', record.id, eventAttributes(record, { exitCode: String(exit.exitCode) }));
  ctx.lifecycle.exited(record.id, exit);
  if (record.hostConfig.AutoRemove) {
    await removeLocked(ctx, record, { force: true }).catch(async (err: unknown) => {
      await ctx.store.save(record);
      throw err;
    });
    return;
  }
  if (shouldRestart(record, exit)) scheduleRestart(ctx, record);
}

function shouldRestart(record: ContainerRecord, exit: ContainerExit): boolean {
  if (stoppedByUser.has(record.id)) return false;
  const policy = record.hostConfig.RestartPolicy;
  switch (policy?.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exit.exitCode !== 0 && (!policy.MaximumRetryCount || record.restartCount < policy.MaximumRetryCount);
    default:
      return false;
  }
}

/** Docker's back-off: 100 ms, doubling per restart, at most a minute. */
function scheduleRestart(ctx: ContainerContext, record: ContainerRecord): void {
  const delay = Math.min(100 * 2 ** record.restartCount, 60_000);
  setTimeout(() => {
    void ctx.locks.run(record.id, async () => {
      if (ctx.store.find(record.id) !== record || record.state.status !== 'exited' || stoppedByUser.has(record.id)) return;
      record.restartCount++;
      ctx.events.publish('container', 'restart', record.id, eventAttributes(record));
      await startLocked(ctx, record);
    }).catch((err: unknown) => process.stderr.write(`berthd: restart ${record.name}: ${String(err)}\n`));
  }, delay).unref();
}
