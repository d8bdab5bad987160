// The files of a running container under the exec root, in one place for every verb.
import { join } from 'node:path';
import type { ContainerContext } from './context.js';

/** Where the monitor and runtime keep this container's files while it runs. */
export function runFiles(ctx: Pick<ContainerContext, 'paths'>, id: string) {
  const dir = ctx.paths.containerRun(id);
  return {
    dir,
    bundle: join(dir, 'bundle'),
    socket: join(dir, 'monitor.sock'),
    exitFile: join(dir, 'exit.json'),
    consoleSocket: join(dir, 'console.sock'),
  };
}

