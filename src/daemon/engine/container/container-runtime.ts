// The OCI runtime behind one container, chosen by its record's `runtime`: berth's own, in
// process (ctx.runtime), or a runc-compatible binary named in daemon.json's "runtimes", driven
// through its command line (OciRuntimeCommand) with its state under
// <exec-root>/runtimes/<name>. The container verbs call the runtime only through this.
import { join } from 'node:path';
import { InvalidArgument } from '../../../errors.js';
import type { CgroupStats } from '../../../runtime/cgroups/index.js';
import { berthCgroupParent, realCgroupfs, removeIfEmpty } from '../../../runtime/cgroups/directories.js';
import type { ExecOptions } from '../../../runtime/container/exec.js';
import type { Launcher } from '../../../runtime/process/init-process.js';
import { OciRuntimeCommand } from '../../../runtime/oci-runtime-command.js';
import type { ContainerContext } from './context.js';

/** What the container verbs ask of a runtime. berth's `Runtime` is one as it is. */
export interface ContainerRuntime {
  /** Creates the container under its monitor (the launcher); returns its pid. */
  create(id: string, options: { bundle: string; launcher: Launcher; consoleSocket?: string | undefined }): Promise<{ init: { pid: number } }>;
  start(id: string): Promise<unknown>;
  state(id: string): Promise<{ status: string; pid?: number | undefined }>;
  kill(id: string, signal: string | number, options?: { all?: boolean | undefined }): Promise<void>;
  delete(id: string, options?: { force?: boolean | undefined }): Promise<unknown>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  processes(id: string): Promise<number[]>;
  stats(id: string): Promise<{ data: CgroupStats }>;
  /** A process in the container under its own monitor; `scratchDir` is the exec's own directory. */
  exec(id: string, options: ExecOptions & { scratchDir: string }): Promise<{ pid: number }>;
}

/** The state directory of a runtime binary: dockerd keeps its runc's under the exec root too. */
export function runtimeRoot(execRoot: string, name: string): string {
  return join(execRoot, 'runtimes', name);
}

const commands = new WeakMap<ContainerContext['config'], Map<string, ContainerRuntime>>();

/** The runtime of a container (throws for a runtime daemon.json no longer names). */
export function runtimeFor(ctx: Pick<ContainerContext, 'config' | 'paths' | 'runtime'>, record: { runtime: string }): ContainerRuntime {
  const name = record.runtime;
  if (!name || name === 'berth') return ctx.runtime;
  let byName = commands.get(ctx.config);
  if (!byName) commands.set(ctx.config, byName = new Map());
  let runtime = byName.get(name);
  if (!runtime) {
    const entry = ctx.config.runtimes[name];
    if (!entry) throw new InvalidArgument(`unknown or invalid runtime name: ${name}`);
    runtime = new CommandRuntime(new OciRuntimeCommand({ path: entry.path, runtimeArgs: entry.runtimeArgs, root: runtimeRoot(ctx.paths.execRoot, name) }));
    byName.set(name, runtime);
  }
  return runtime;
}

/**
 * A runtime binary as a ContainerRuntime. It makes the container's cgroups under berth's
 * parent (the bundle's cgroupsPath is /berth/<id>) but, unlike berth's runtime, leaves that
 * parent behind when the last container goes: delete removes it when it is empty.
 */
class CommandRuntime implements ContainerRuntime {
  constructor(private readonly command: OciRuntimeCommand) {}

  create(id: string, options: { bundle: string; launcher: Launcher; consoleSocket?: string | undefined }) { return this.command.create(id, options); }
  start(id: string) { return this.command.start(id); }
  state(id: string) { return this.command.state(id); }
  kill(id: string, signal: string | number, options?: { all?: boolean | undefined }) { return this.command.kill(id, signal, options); }
  pause(id: string) { return this.command.pause(id); }
  resume(id: string) { return this.command.resume(id); }
  processes(id: string) { return this.command.processes(id); }
  stats(id: string) { return this.command.stats(id); }
  exec(id: string, options: ExecOptions & { scratchDir: string }) { return this.command.exec(id, options); }

  async delete(id: string, options?: { force?: boolean | undefined }): Promise<void> {
    try {
      await this.command.delete(id, options);
    } finally {
      await removeEmptyBerthParents();
    }
  }
}

/** /sys/fs/cgroup/<hierarchy>/berth where it is left empty (another container may be using it). */
async function removeEmptyBerthParents(): Promise<void> {
  const hierarchies = await realCgroupfs.listDirectories('/sys/fs/cgroup').catch(() => [] as string[]);
  const parents = hierarchies.includes(berthCgroupParent) ? ['/sys/fs/cgroup'] : hierarchies.map((h) => join('/sys/fs/cgroup', h));
  await Promise.all(parents.map((dir) => removeIfEmpty(realCgroupfs, join(dir, berthCgroupParent)).catch(() => {})));
}
