// `kill`, `stop` and `restart`. Stop sends the container's stop signal (SIGTERM unless its
// config or the request says otherwise), waits up to its timeout (10 s by default), then kills.
// The exit is recorded here, under the container's lock, from the monitor's exit file, so that
// the caller's answer already shows the container stopped.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FailedPrecondition } from '../../../errors.js';
import { readExitFile } from '../../../monitor/exit-file.js';
import { parseSignal } from '../../../runtime/container/signals.js';
import { NotModified } from '../../server/errors.js';
import { eventAttributes, type ContainerContext, type ContainerExit } from './context.js';
import { recordExit, stoppedByUser } from './exit.js';
import type { ContainerRecord } from './record.js';
import { runFiles } from './run-files.js';
import { runtimeFor } from './container-runtime.js';
import { startLocked } from './start.js';

const defaultStopTimeoutSeconds = 10;

function isLive(record: ContainerRecord): boolean {
  return record.state.status === 'running' || record.state.status === 'paused' || record.state.status === 'restarting';
}

export function killContainer(ctx: ContainerContext, nameOrId: string, signal = 'SIGKILL'): Promise<void> {
  const record = ctx.store.get(nameOrId);
  const number = parseSignal(signal); // a bad signal is the client's error, before anything else
  return ctx.locks.run(record.id, async () => {
    if (!isLive(record)) throw new FailedPrecondition(`Cannot kill container: ${nameOrId}: container ${record.id} is not running`);
    stoppedByUser.add(record.id);
    await killLocked(ctx, record, number, { waitForExit: number === 9 });
  });
}

export async function killLocked(ctx: ContainerContext, record: ContainerRecord, signal: string | number, options: { waitForExit: boolean }): Promise<void> {
  ctx.events.publish('container', 'kill', record.id, eventAttributes(record, { signal: String(parseSignal(signal)) }));
  await runtimeFor(ctx, record).kill(record.id, signal, { all: parseSignal(signal) === 9 }).catch(() => { /* already gone */ });
  if (options.waitForExit) await awaitExit(ctx, record, 10_000);
}

/**
 * Waits for the monitor to record the exit (its exit file), then records it here. Gives up
 * after `timeoutMs`, returning false, when the container is still running.
 */
async function awaitExit(ctx: ContainerContext, record: ContainerRecord, timeoutMs: number): Promise<boolean> {
  const exitFile = runFiles(ctx, record.id).exitFile;
  const deadline = Date.now() + timeoutMs;
  let exit: ContainerExit | undefined;
  for (;;) {
    exit = await readExitFile(exitFile);
    if (exit) break;
    // No exit file and no monitor: the monitor died too, and nobody will write one. (Or it
    // wrote one and left while the state was read: a runtime binary's state takes a while.)
    if ((await Promise.resolve().then(() => runtimeFor(ctx, record).state(record.id)).catch(() => undefined))?.status === 'stopped' && !existsSync(runFiles(ctx, record.id).socket)) {
      exit = await readExitFile(exitFile);
      break;
    }
    if (Date.now() >= deadline) return false;
    await sleep(10);
  }
  await recordExit(ctx, record, exit ?? { exitCode: 137, oomKilled: false });
  return true;
}

export interface StopOptions {
  signal?: string | undefined;
  /** Seconds before SIGKILL; -1 waits forever. */
  timeout?: number | undefined;
}

export function stopContainer(ctx: ContainerContext, nameOrId: string, options: StopOptions = {}): Promise<void> {
  const record = ctx.store.get(nameOrId);
  return ctx.locks.run(record.id, async () => {
    if (!isLive(record)) throw new NotModified();
    stoppedByUser.add(record.id);
    await stopLocked(ctx, record, options);
  });
}

async function stopLocked(ctx: ContainerContext, record: ContainerRecord, options: StopOptions): Promise<void> {
  const signal = options.signal || record.config.StopSignal || 'SIGTERM';
  const timeout = options.timeout ?? record.config.StopTimeout ?? defaultStopTimeoutSeconds;
  await killLocked(ctx, record, signal, { waitForExit: false });
  const exited = await awaitExit(ctx, record, timeout < 0 ? 2 ** 31 : timeout * 1000);
  if (!exited) await killLocked(ctx, record, 'SIGKILL', { waitForExit: true });
  ctx.events.publish('container', 'stop', record.id, eventAttributes(record));
}

export function restartContainer(ctx: ContainerContext, nameOrId: string, options: StopOptions = {}): Promise<void> {
  const record = ctx.store.get(nameOrId);
  return ctx.locks.run(record.id, async () => {
    if (isLive(record)) {
      stoppedByUser.add(record.id);
      await stopLocked(ctx, record, options);
    }
    stoppedByUser.delete(record.id);
    await startLocked(ctx, record);
    ctx.events.publish('container', 'restart', record.id, eventAttributes(record));
  });
}
