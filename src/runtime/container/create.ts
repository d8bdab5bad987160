// `create`: claims the id, makes the cgroup, starts berth-init with the plan computed from the
// bundle's config.json, runs the create-time hooks while berth-init waits before pivot_root, and
// records the container once its process is set up and blocked on the exec fifo. A failure at
// any step undoes every earlier one.
import { InvalidArgument } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { runHooks } from '../hooks.js';
import { berthCgroupParent, openCgroup, type Cgroup } from '../cgroups/index.js';
import { buildCreatePlan, startHookRecords, type SeccompProgram } from '../plan/build.js';
import { InitProcess, type Launcher, type StdioSlot } from '../process/init-process.js';
import { compileSeccompCached } from '../seccomp/index.js';
import { loadBundleSpec } from '../spec/load.js';
import type { DeviceCgroupRule, Resources, Seccomp, Spec } from '../spec/types.js';
import { containerState, type RuntimeContext } from './context.js';
import { processStartTime } from './process-identity.js';
import type { ContainerRecord } from './state.js';

export interface CreateOptions {
  /** The bundle directory, holding config.json. */
  bundle: string;
  /** A unix socket to receive the pty master when process.terminal is true. */
  consoleSocket?: string | undefined;
  /** A file to write the container's pid into. */
  pidFile?: string | undefined;
  /** The container's stdin, stdout and stderr; inherited from the caller by default. */
  stdio?: StdioSlot[] | undefined;
  /**
   * Keep berth-init as the container's parent so that it reports the exit status (`run`).
   * Otherwise berth-init exits once the container is set up.
   */
  foreground?: boolean | undefined;
  /**
   * Start this (berth-monitor) in place of berth-init; it runs berth-init with the container's
   * stdio and outlives the caller. `stdio` is then unused and `foreground` must be false.
   */
  launcher?: Launcher | undefined;
}

export interface CreatedContainer {
  record: ContainerRecord;
  init: InitProcess;
}

export async function createContainer(ctx: RuntimeContext, id: string, options: CreateOptions): Promise<CreatedContainer> {
  const { spec, rootfs, bundle } = await loadBundleSpec(options.bundle);
  const containerProcess = spec.process;
  if (!containerProcess) throw new InvalidArgument('config.json: process is required to create a container');
  await ctx.store.claim(id);

  let cgroup: Cgroup | undefined;
  let init: InitProcess | undefined;
  let recorded: Promise<void> | undefined;
  let cgroupMade: Promise<void> | undefined;
  try {
    const cgroupsPath = spec.linux?.cgroupsPath ?? `/${berthCgroupParent}/${id}`;
    const containerCgroup = cgroup = await openCgroup(cgroupsPath, ctx.cgroupOptions);
    const record: ContainerRecord = {
      id,
      bundle,
      rootfs,
      pid: 0,
      initStartTime: '',
      created: new Date().toISOString(),
      cgroupsPath,
      cgroupDirectories: [],
      spec,
    };
    const plan = buildCreatePlan({
      spec,
      bundle,
      rootfs,
      process: containerProcess,
      seccomp: seccompProgram(spec.linux?.seccomp),
      consoleSocket: options.consoleSocket,
      setsid: true,
      execFifo: ctx.store.execFifo(id),
      cgroupProcsFiles: containerCgroup.procsFiles(),
      cgroupHierarchies: containerCgroup.hierarchies(),
      foreground: options.foreground ?? false,
      pauseForHooks: hasSetupHooks(spec),
    });
    // The cgroup is made while the launcher or berth-init starts; the plan waits for it.
    cgroupMade = containerCgroup.create(resourcesWithDevices(spec)).then(() => {
      record.cgroupDirectories = containerCgroup.createdDirectories();
    });
    cgroupMade.catch(() => { /* reported through whileStarting */ });
    init = await InitProcess.start({
      binary: ctx.initBinary,
      plan,
      stdio: options.stdio ?? ['inherit', 'inherit', 'inherit'],
      launcher: options.launcher,
      whileStarting: () => cgroupMade!,
      // Recorded while the container sets itself up, so that a crash of the runtime from here
      // on leaves a container that `delete` can find and remove.
      onPid: (pid) => {
        record.pid = pid;
        record.initStartTime = processStartTime(pid);
        recorded = ctx.store.write(record);
      },
      onHooks: async (pid) => {
        const state = containerState({ ...record, pid }, 'creating');
        // createContainer hooks run here too, in the runtime's namespaces: berth-init waits
        // in the container's mount namespace before pivot_root, where the spec places them.
        await runHooks('prestart', spec.hooks?.prestart, state);
        await runHooks('createRuntime', spec.hooks?.createRuntime, state);
        await runHooks('createContainer', spec.hooks?.createContainer, state);
        // They run during `start`, from a created container.
        return startHookRecords(spec.hooks?.startContainer, { ...state, status: 'created' });
      },
    });
    await recorded;
    if (options.pidFile) await writeFileAtomic(options.pidFile, String(init.pid), 0o644);
    return { record, init };
  } catch (err) {
    await recorded?.catch(() => {});
    await cgroupMade?.catch(() => {});
    await undoCreate(ctx, id, cgroup, init);
    throw err;
  }
}

/** The spec's own devices must be usable too: the device cgroup allows each, as runc does. */
function resourcesWithDevices(spec: Spec): Resources | undefined {
  const devices = spec.linux?.devices ?? [];
  if (devices.length === 0) return spec.linux?.resources;
  const resources = spec.linux?.resources ?? {};
  // A fifo ('p') needs no rule; 'u' is an unbuffered character device.
  const allow = devices.filter((d) => d.type !== 'p').map((d): DeviceCgroupRule => (
    { allow: true, type: d.type === 'b' ? 'b' : 'c', major: d.major ?? null, minor: d.minor ?? null, access: 'rwm' }));
  return { ...resources, devices: [...(resources.devices ?? []), ...allow] };
}

function hasSetupHooks(spec: Spec): boolean {
  const hooks = spec.hooks ?? {};
  return [hooks.prestart, hooks.createRuntime, hooks.createContainer, hooks.startContainer]
    .some((list) => (list?.length ?? 0) > 0);
}

function seccompProgram(seccomp: Seccomp | undefined): SeccompProgram | undefined {
  if (!seccomp) return undefined;
  return compileSeccompCached(seccomp);
}

async function undoCreate(ctx: RuntimeContext, id: string, cgroup: Cgroup | undefined, init: InitProcess | undefined): Promise<void> {
  if (init) {
    for (const pid of [init.pid, init.launcherPid]) {
      if (!pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  if (cgroup) {
    await cgroup.killAll('SIGKILL').catch(() => {});
    await cgroup.destroy().catch(() => {});
  }
  await ctx.store.remove(id);
}
