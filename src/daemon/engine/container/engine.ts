// The container side of the engine: one object the container routes talk to (through
// ContainerBackend), each verb in its own module. On open it finds the containers that were
// running when berthd last stopped — or died — and takes up their monitors again.
import type { Writable } from 'node:stream';
import type { ContainerCreateRequest } from '../../../api/types/container-config.js';
import { FailedPrecondition } from '../../../errors.js';
import { MonitorClient } from '../../../monitor/client.js';
import { Runtime } from '../../../runtime/runtime.js';
import type { DaemonConfig } from '../../config.js';
import type { DaemonPaths } from '../../daemon-paths.js';
import type { ContainerBackend, Hijack } from '../../router/containers/backend.js';
import type { EventBus } from '../events.js';
import type { ImageService } from '../images/image-service.js';
import type { ContainerNetworking } from '../network/container-networking.js';
import type { ContainerDirectory } from '../network/network-engine.js';
import type { NetworkService } from '../network/network-service.js';
import { attachContainer, type AttachOptions } from './attach.js';
import { ContainerLifecycle, ContainerLocks, eventAttributes, type ContainerContext, type ContainerExit } from './context.js';
import { createContainer, type CreateResult } from './create.js';
import { createExec, forgetExecs, inspectExec, resizeExec, startExec, type ExecCreateRequest, type ExecStartOptions } from './exec.js';
import { followExit, recordExit, stoppedByUser } from './exit.js';
import { inspectContainer } from './inspect.js';
import { listContainers, type ListOptions } from './list.js';
import { streamLogs, type LogOptions } from './logs.js';
import { removeContainer } from './remove.js';
import { runFiles } from './run-files.js';
import { runtimeFor } from './container-runtime.js';
import { startContainer } from './start.js';
import { containerStats, type StatsOptions } from './stats.js';
import type { DockerStats } from './stats-json.js';
import { killContainer, restartContainer, stopContainer, type StopOptions } from './stop.js';
import { ContainerStore } from './store.js';
import { topContainer } from './top.js';
import { waitForContainer } from './wait.js';
import { readExitFile } from '../../../monitor/exit-file.js';

export class ContainerEngine implements ContainerBackend {
  private constructor(private readonly ctx: ContainerContext) {}

  static async open(options: { config: DaemonConfig; paths: DaemonPaths; images: ImageService; networks: NetworkService; networking: ContainerNetworking; events: EventBus }): Promise<ContainerEngine> {
    const store = await ContainerStore.open(options.paths.containers);
    const engine = new ContainerEngine({
      ...options,
      store,
      runtime: new Runtime({ root: options.paths.runtimeState }),
      lifecycle: new ContainerLifecycle(),
      locks: new ContainerLocks(),
    });
    options.images.containerUse = (imageId) => {
      // Docker's IsRunning: paused and restarting containers are running ones too.
      const isRunning = (r: { state: { status: string } }) => ['running', 'paused', 'restarting'].includes(r.state.status);
      const users = store.all().filter((r) => r.image === imageId);
      const user = users.find(isRunning) ?? users[0];
      return user && { containerId: user.id, running: isRunning(user) };
    };
    options.images.containerImageIds = () => store.all().map((r) => r.image);
    options.networking.restore(store.all().filter((r) => r.network));
    await engine.restore();
    // Layers a crash left unreferenced (between an image's or a container's removal and the
    // removal of its layers, or during a pull): found from the records, removed in the background.
    void options.images.removeUnusedLayers().catch((err: unknown) => process.stderr.write(`berthd: removing unused layers: ${String(err)}\n`));
    return engine;
  }

  /** Containers recorded as running: reconnect to their monitors, or record the exit they had. */
  private async restore(): Promise<void> {
    const ctx = this.ctx;
    await Promise.all(ctx.store.all().map(async (record) => {
      if (!['running', 'paused', 'restarting'].includes(record.state.status)) return;
      const files = runFiles(ctx, record.id);
      const monitor = await MonitorClient.connect(files.socket).catch(() => undefined);
      if (monitor) {
        followExit(ctx, record, monitor);
        return;
      }
      const exit = await readExitFile(files.exitFile);
      await ctx.locks.run(record.id, () => recordExit(ctx, record, exit ?? { exitCode: 255, oomKilled: false }));
    }));
  }

  /** The containers as the network endpoints see them. */
  directory(): ContainerDirectory {
    const ctx = this.ctx;
    return {
      all: () => ctx.store.all(),
      get: (nameOrId) => ctx.store.get(nameOrId),
      update: async (nameOrId, change) => {
        const record = ctx.store.get(nameOrId);
        await ctx.locks.run(record.id, async () => {
          await change(record);
          await ctx.store.save(record);
        });
      },
    };
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = this.ctx.store.all();
    const running = all.filter((r) => r.state.status === 'running').length;
    const paused = all.filter((r) => r.state.status === 'paused').length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  create(request: ContainerCreateRequest, name: string | undefined): Promise<CreateResult> {
    return createContainer(this.ctx, request, name);
  }

  async start(nameOrId: string): Promise<void> {
    stoppedByUser.delete(this.ctx.store.get(nameOrId).id);
    await startContainer(this.ctx, nameOrId);
  }

  stop(nameOrId: string, options: StopOptions): Promise<void> { return stopContainer(this.ctx, nameOrId, options); }
  restart(nameOrId: string, options: StopOptions): Promise<void> { return restartContainer(this.ctx, nameOrId, options); }
  kill(nameOrId: string, signal: string | undefined): Promise<void> { return killContainer(this.ctx, nameOrId, signal); }

  async remove(nameOrId: string, options: { force: boolean }): Promise<void> {
    const id = this.ctx.store.get(nameOrId).id;
    await removeContainer(this.ctx, nameOrId, options);
    forgetExecs(id);
    stoppedByUser.delete(id);
  }

  wait(nameOrId: string, condition: string | undefined): Promise<ContainerExit> { return waitForContainer(this.ctx, nameOrId, condition); }
  inspect(nameOrId: string): Promise<unknown> { return inspectContainer(this.ctx, nameOrId); }
  list(options: ListOptions): unknown[] { return listContainers(this.ctx, options); }

  logs(nameOrId: string, options: LogOptions, out: Writable, closed: () => boolean): Promise<void> {
    return streamLogs(this.ctx, nameOrId, options, out, closed);
  }

  hasTty(nameOrId: string): boolean {
    return this.ctx.store.get(nameOrId).config.Tty ?? false;
  }

  attach(nameOrId: string, options: AttachOptions, hijack: Hijack): Promise<void> {
    return attachContainer(this.ctx, nameOrId, options, hijack);
  }

  async resize(nameOrId: string, rows: number, columns: number): Promise<void> {
    const record = this.ctx.store.get(nameOrId);
    if (record.state.status !== 'running') throw new FailedPrecondition(`Container ${record.id} is not running`);
    const monitor = await MonitorClient.connect(runFiles(this.ctx, record.id).socket);
    monitor.resize(rows, columns);
    monitor.close();
  }

  async rename(nameOrId: string, newName: string): Promise<void> {
    const record = this.ctx.store.get(nameOrId);
    const oldName = record.name;
    await this.ctx.store.rename(record, newName);
    this.ctx.events.publish('container', 'rename', record.id, eventAttributes(record, { oldName: `/${oldName}` }));
  }

  top(nameOrId: string, psArgs: string | undefined) { return topContainer(this.ctx, nameOrId, psArgs); }

  async pause(nameOrId: string): Promise<void> {
    const record = this.ctx.store.get(nameOrId);
    await this.ctx.locks.run(record.id, async () => {
      if (record.state.status !== 'running') throw new FailedPrecondition(`Container ${record.id} is not running`);
      await runtimeFor(this.ctx, record).pause(record.id);
      record.state.status = 'paused';
      await this.ctx.store.save(record);
    });
    this.ctx.events.publish('container', 'pause', record.id, eventAttributes(record));
  }

  async unpause(nameOrId: string): Promise<void> {
    const record = this.ctx.store.get(nameOrId);
    await this.ctx.locks.run(record.id, async () => {
      if (record.state.status !== 'paused') throw new FailedPrecondition(`Container ${record.id} is not paused`);
      await runtimeFor(this.ctx, record).resume(record.id);
      record.state.status = 'running';
      await this.ctx.store.save(record);
    });
    this.ctx.events.publish('container', 'unpause', record.id, eventAttributes(record));
  }

  stats(nameOrId: string, options: StatsOptions, send: (stats: DockerStats) => void, closed: () => boolean): Promise<void> {
    return containerStats(this.ctx, nameOrId, options, send, closed);
  }

  execCreate(nameOrId: string, request: ExecCreateRequest): Promise<{ Id: string }> {
    return Promise.resolve(createExec(this.ctx, nameOrId, request));
  }

  execStart(execId: string, options: ExecStartOptions, hijack: Hijack | undefined): Promise<void> {
    return startExec(this.ctx, execId, options, hijack);
  }

  execInspect(execId: string): unknown { return inspectExec(execId); }
  execResize(execId: string, rows: number, columns: number): Promise<void> { return resizeExec(execId, rows, columns); }
}
