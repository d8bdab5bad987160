// berth's OCI runtime as a library: what `berth-runtime` runs per command and what berthd calls
// in process, without starting Node per container. Each verb lives in container/<verb>.ts.
import { defaultInitBinary } from '../paths.js';
import type { Resources, Spec } from './spec/types.js';
import type { RuntimeContext } from './container/context.js';
import { createContainer, type CreateOptions, type CreatedContainer } from './container/create.js';
import { deleteContainer, type DeleteOptions } from './container/delete.js';
import { execInContainer, type ExecOptions } from './container/exec.js';
import { listContainers, processesOf, stateOf, statsOf } from './container/inspect.js';
import { killContainer, type KillOptions } from './container/kill.js';
import { pauseContainer, resumeContainer } from './container/pause.js';
import { runContainer, type RunOptions, type RunResult } from './container/run.js';
import { startContainer } from './container/start.js';
import { StateStore } from './container/state.js';
import { updateContainer } from './container/update.js';

export interface RuntimeOptions {
  /** Where container state lives; runc's /run/runc counterpart. */
  root: string;
  /** The berth-init binary; the one built in native/build by default. */
  initBinary?: string;
}

export const defaultRuntimeRoot = '/run/berth-runtime';

export class Runtime {
  private readonly ctx: RuntimeContext;

  constructor(options: RuntimeOptions) {
    this.ctx = { store: new StateStore(options.root), initBinary: options.initBinary ?? defaultInitBinary() };
  }

  get root(): string {
    return this.ctx.store.root;
  }

  create(id: string, options: CreateOptions): Promise<CreatedContainer> { return createContainer(this.ctx, id, options); }
  start(id: string): Promise<Error[]> { return startContainer(this.ctx, id); }
  run(id: string, options: RunOptions): Promise<RunResult> { return runContainer(this.ctx, id, options); }
  state(id: string) { return stateOf(this.ctx, id); }
  /** The spec the container was created from, with the limits `update` changed since. */
  async containerSpec(id: string): Promise<Spec> { return (await this.ctx.store.read(id)).spec; }
  list() { return listContainers(this.ctx); }
  kill(id: string, signal: string | number, options?: KillOptions): Promise<void> { return killContainer(this.ctx, id, signal, options); }
  delete(id: string, options?: DeleteOptions): Promise<Error[]> { return deleteContainer(this.ctx, id, options); }
  exec(id: string, options: ExecOptions) { return execInContainer(this.ctx, id, options); }
  pause(id: string): Promise<void> { return pauseContainer(this.ctx, id); }
  resume(id: string): Promise<void> { return resumeContainer(this.ctx, id); }
  update(id: string, resources: Resources): Promise<void> { return updateContainer(this.ctx, id, resources); }
  processes(id: string): Promise<number[]> { return processesOf(this.ctx, id); }
  stats(id: string) { return statsOf(this.ctx, id); }
}
