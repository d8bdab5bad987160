// `POST /containers/{id}/start`: mounts the root filesystem, writes the container's host files
// and its OCI bundle (Docker's defaults, from the spec builder), and creates the container
// under its own monitor, which outlives berthd. berthd then tells the monitor the container's
// pid, follows its exit, and releases the program with the runtime's start.
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FailedPrecondition, InvalidArgument } from '../../../errors.js';
import { ContainerSetupError } from '../../../runtime/process/init-process.js';
import { berthCgroupParent, openCgroup } from '../../../runtime/cgroups/index.js';
import { monitorLauncher } from '../../../monitor/launch.js';
import { MonitorClient } from '../../../monitor/client.js';
import { defaultReaperBinary, defaultMonitorBinary } from '../../../paths.js';
import { NotModified } from '../../server/errors.js';
import { buildContainerSpec, ensureWorkingDir } from './spec/build.js';
import { eventAttributes, logPath, type ContainerContext } from './context.js';
import { connectPendingAttaches } from './attach.js';
import { removeLocked } from './remove.js';
import { followExit } from './exit.js';
import { writeHostFiles } from './host-files.js';
import type { ContainerRecord } from './record.js';
import { runFiles } from './run-files.js';
import { runtimeFor } from './container-runtime.js';

export function startContainer(ctx: ContainerContext, nameOrId: string): Promise<void> {
  const record = ctx.store.get(nameOrId);
  return ctx.locks.run(record.id, () => startLocked(ctx, record));
}

export async function startLocked(ctx: ContainerContext, record: ContainerRecord): Promise<void> {
  if (record.state.status === 'running' || record.state.status === 'paused') throw new NotModified();
  if (record.state.status === 'removing' || record.state.status === 'dead') {
    throw new FailedPrecondition(`cannot start container ${record.name}: it is being removed`);
  }
  const runtime = runtimeFor(ctx, record); // berth's own, or a runc-compatible binary
  const files = runFiles(ctx, record.id);
  let created = false;
  try {
    // The root filesystem and the network namespace are made side by side.
    const [mounted, attached] = await Promise.allSettled([ctx.images.driver.mountContainer(record.id, { volatile: record.hostConfig.AutoRemove === true }), ctx.networking.attach(record)]);
    if (attached.status === 'fulfilled') record.network = attached.value;
    if (mounted.status === 'rejected') throw mounted.reason;
    if (attached.status === 'rejected') throw attached.reason;
    const rootfs = mounted.value;
    await rm(files.dir, { recursive: true, force: true });
    await mkdir(files.bundle, { recursive: true, mode: 0o700 });
    const hostConfig = record.hostConfig;
    const hostFiles = await writeHostFiles(ctx.store.directory(record.id), {
      hostname: record.config.Hostname || record.id.slice(0, 12),
      domainname: record.config.Domainname,
      extraHosts: hostConfig.ExtraHosts,
      dns: hostConfig.Dns,
      dnsSearch: hostConfig.DnsSearch,
      dnsOptions: hostConfig.DnsOptions,
      ...ctx.networking.hostFileSettings(record, ctx.config.network.dns),
    });
    const cgroupsPath = `/${berthCgroupParent}/${record.id}`;
    // Where the runtime will make it: its version shapes the spec, and the monitor reads its OOM kills.
    const cgroup = await openCgroup(cgroupsPath);
    const { spec, workingDir } = await buildContainerSpec({
      id: record.id,
      config: record.config,
      hostConfig,
      // record.config already carries the image's defaults (merged at create).
      imageConfig: undefined,
      rootfs,
      hostFiles,
      cgroupsPath,
      ...(record.network ? { networkNamespacePath: record.network.sandbox } : {}),
      resolveContainerPid: (nameOrId: string) => {
        const other = ctx.store.get(nameOrId);
        if (other.state.status !== 'running') throw new FailedPrecondition(`container ${other.name} is not running`);
        return other.state.pid;
      },
      reaperBinary: defaultReaperBinary(),
      cgroupVersion: cgroup.version,
    });
    await ensureWorkingDir(rootfs, workingDir);
    await writeFile(join(files.bundle, 'config.json'), JSON.stringify(spec));
    const tty = record.config.Tty ?? false;
    const launcher = monitorLauncher(defaultMonitorBinary(), {
      socketPath: files.socket,
      logPath: logPath(ctx, record.id),
      logMaxSize: ctx.config.log.maxSize,
      logMaxFiles: ctx.config.log.maxFiles,
      exitFile: files.exitFile,
      oomFile: cgroup.oomEventsFile(),
      stdin: record.config.OpenStdin ?? false,
      tty,
      consoleSocketPath: tty ? files.consoleSocket : undefined,
    });
    const { init } = await runtime.create(record.id, {
      bundle: files.bundle,
      launcher,
      consoleSocket: tty ? files.consoleSocket : undefined,
    });
    created = true;
    const monitor = await MonitorClient.connect(files.socket);
    monitor.sendPid(init.pid);
    followExit(ctx, record, monitor);
    await connectPendingAttaches(record.id, files.socket);
    await runtime.start(record.id);
    record.state = { ...record.state, status: 'running', pid: init.pid, exitCode: 0, oomKilled: false, error: '', startedAt: new Date().toISOString() };
    await ctx.store.save(record);
    ctx.events.publish('container', 'start', record.id, eventAttributes(record));
  } catch (err) {
    if (err instanceof NotModified) throw err;
    if (created) await runtime.delete(record.id, { force: true }).catch(() => {});
    await ctx.networking.detach(record).catch(() => {});
    await rm(files.dir, { recursive: true, force: true }).catch(() => {});
    await ctx.images.driver.unmountContainer(record.id).catch(() => {});
    const failure = startFailure(err);
    record.state = { ...record.state, status: record.state.status === 'created' ? 'created' : 'exited', error: failure.message, exitCode: failure.exitCode };
    await ctx.store.save(record).catch(() => {});
    // Docker removes an AutoRemove container whose start failed: `run --rm` waits for that.
    if (record.hostConfig.AutoRemove) await removeLocked(ctx, record, { force: true }).catch(() => {});
    throw failure.error;
  }
}

/**
 * Docker's wording for a program that cannot run, which the docker CLI reads to choose its
 * exit status: 127 for "executable file not found" or "no such file or directory", 126 for
 * "permission denied".
 */
function startFailure(err: unknown): { error: Error; message: string; exitCode: number } {
  if (err instanceof ContainerSetupError) {
    // berth-init already says 'exec: "x": executable file not found in $PATH' for 127.
    const reason = err.exitStatus === 126 && !/permission denied/i.test(err.message) ? ': permission denied' : '';
    const message = `failed to create task for container: ${err.message}${reason}: unknown`;
    return { error: new InvalidArgument(message), message, exitCode: err.exitStatus || 128 };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: err instanceof Error ? err : new Error(message), message, exitCode: 128 };
}
