// `start`: opens the exec fifo for reading, which releases berth-init's write and so lets the
// container's process exec the user's program; then runs the poststart hooks.
import { constants, readSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { FailedPrecondition, errnoCode } from '../../errors.js';
import { runHooksBestEffort } from '../hooks.js';
import { containerState, containerStatus, sleep, type RuntimeContext } from './context.js';
import { isSameLiveProcess } from './process-identity.js';
import type { ContainerRecord } from './state.js';

/** Starts a created container; returns the poststart hook failures, which the spec only logs. */
export async function startContainer(ctx: RuntimeContext, id: string): Promise<Error[]> {
  const record = await ctx.store.read(id);
  const status = await containerStatus(ctx, record);
  if (status !== 'created') {
    throw new FailedPrecondition(`container "${id}" is ${status}: only a created container can be started`);
  }
  return startCreatedContainer(ctx, record);
}

/** `start` for a container known to be created (run has just created it). */
export async function startCreatedContainer(ctx: RuntimeContext, record: ContainerRecord): Promise<Error[]> {
  await releaseExecFifo(ctx.store.execFifo(record.id), record);
  return runHooksBestEffort('poststart', record.spec.hooks?.poststart, containerState(record, 'running'));
}

async function releaseExecFifo(fifo: string, record: ContainerRecord): Promise<void> {
  // Non-blocking, so that a container that died meanwhile cannot hang `start`.
  const handle = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const byte = Buffer.alloc(1);
    const released = () => {
      try {
        return readSync(handle.fd, byte, 0, 1, null) === 1;
      } catch (err) {
        if (errnoCode(err) !== 'EAGAIN') throw err;
        return false;
      }
    };
    for (let attempt = 0; ; attempt++) {
      if (released()) break;
      if (!isSameLiveProcess(record.pid, record.initStartTime)) {
        // A short program may write, exec and exit between two reads: its byte is still there.
        if (released()) break;
        throw new FailedPrecondition(`container "${record.id}" exited before it could start`);
      }
      // The byte comes within microseconds of the open; only a stalled container waits longer.
      await (attempt < 100 ? new Promise(setImmediate) : sleep(Math.min(attempt - 99, 10)));
    }
  } finally {
    await handle.close();
    await unlink(fifo).catch(() => {});
  }
}
