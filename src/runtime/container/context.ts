// What every verb needs: where state lives, which helper binary to start, and how to reach a
// container's cgroup and present its state.
import { existsSync } from 'node:fs';
import { openCgroup, type Cgroup, type OpenCgroupOptions } from '../cgroups/index.js';
import type { ContainerStatus, State } from '../spec/types.js';
import { isSameLiveProcess } from './process-identity.js';
import type { ContainerRecord, StateStore } from './state.js';

export interface RuntimeContext {
  store: StateStore;
  initBinary: string;
  /** Passed to openCgroup (tests of hosts shaped differently). */
  cgroupOptions?: Omit<OpenCgroupOptions, 'createdDirectories'>;
}

export function openContainerCgroup(ctx: RuntimeContext, record: ContainerRecord): Promise<Cgroup> {
  return openCgroup(record.cgroupsPath, { ...ctx.cgroupOptions, createdDirectories: record.cgroupDirectories });
}

/**
 * The status the runtime-spec defines, derived from the kernel each time rather than stored,
 * so that it is right even when the container changed while no runtime command ran.
 */
export async function containerStatus(ctx: RuntimeContext, record: ContainerRecord): Promise<ContainerStatus> {
  if (!isSameLiveProcess(record.pid, record.initStartTime)) return 'stopped';
  if (existsSync(ctx.store.execFifo(record.id))) return 'created';
  const cgroup = await openContainerCgroup(ctx, record);
  return (await cgroup.isFrozen()) ? 'paused' : 'running';
}

/** The state JSON of `berth-runtime state`: the spec's fields, plus runc's rootfs and created. */
export interface ContainerState extends State {
  rootfs: string;
  created: string;
  owner: string;
}

export function containerState(record: ContainerRecord, status: ContainerStatus): ContainerState {
  return {
    ociVersion: record.spec.ociVersion,
    id: record.id,
    status,
    pid: status === 'stopped' ? 0 : record.pid,
    bundle: record.bundle,
    rootfs: record.rootfs,
    created: record.created,
    owner: '',
    annotations: record.spec.annotations ?? {},
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
