// `POST /containers/{id}/wait?condition=`: not-running (the default: now, if it is not
// running), next-exit (the next exit from now) or removed (its removal, which `run --rm` uses).
import { InvalidArgument } from '../../../errors.js';
import type { ContainerContext, ContainerExit } from './context.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/**
 * Registers the wait at once (the client sends wait before start, and an exit right after the
 * start must not be missed) and returns the promise of the exit.
 */
export function waitForContainer(ctx: ContainerContext, nameOrId: string, condition = 'not-running'): Promise<ContainerExit> {
  if (!['not-running', 'next-exit', 'removed', ''].includes(condition)) {
    throw new InvalidArgument(`invalid condition: "${condition}"`);
  }
  const record = ctx.store.get(nameOrId);
  const running = ['running', 'paused', 'restarting'].includes(record.state.status);
  switch (condition as WaitCondition | '') {
    case 'next-exit':
      return ctx.lifecycle.nextExit(record.id);
    case 'removed':
      return ctx.lifecycle.nextRemoval(record.id);
    default:
      if (!running) return Promise.resolve({ exitCode: record.state.exitCode, oomKilled: record.state.oomKilled });
      return ctx.lifecycle.nextExit(record.id);
  }
}
