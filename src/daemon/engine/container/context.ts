// What every container verb needs: the stores, the runtime, the images, where files go, the
// event stream, and the per-container exit notifications that `wait` and attach follow.
import { EventEmitter } from 'node:events';
import type { Runtime } from '../../../runtime/runtime.js';
import type { DaemonConfig } from '../../config.js';
import type { DaemonPaths } from '../../daemon-paths.js';
import type { EventBus } from '../events.js';
import type { ImageService } from '../images/image-service.js';
import type { ContainerNetworking } from '../network/container-networking.js';
import type { NetworkService } from '../network/network-service.js';
import type { ContainerRecord } from './record.js';
import type { ContainerStore } from './store.js';

/** A container's exit as `wait` reports it. */
export interface ContainerExit {
  exitCode: number;
  oomKilled: boolean;
}

/** Exits and removals as they happen, per container id. */
export class ContainerLifecycle {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  exited(id: string, exit: ContainerExit): void { this.emitter.emit(`exit:${id}`, exit); }
  removed(id: string, exit: ContainerExit): void { this.emitter.emit(`removed:${id}`, exit); }

  nextExit(id: string): Promise<ContainerExit> {
    return new Promise((resolve) => this.emitter.once(`exit:${id}`, resolve));
  }

  nextRemoval(id: string): Promise<ContainerExit> {
    return new Promise((resolve) => this.emitter.once(`removed:${id}`, resolve));
  }
}

/** One state change at a time per container (start, stop, remove, exit handling). */
export class ContainerLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => {});
    this.tails.set(id, tail);
    void tail.then(() => {
      if (this.tails.get(id) === tail) this.tails.delete(id);
    });
    return next;
  }
}

export interface ContainerContext {
  config: DaemonConfig;
  paths: DaemonPaths;
  store: ContainerStore;
  images: ImageService;
  networks: NetworkService;
  networking: ContainerNetworking;
  runtime: Runtime;
  events: EventBus;
  lifecycle: ContainerLifecycle;
  locks: ContainerLocks;
}

/** Docker's event attributes for a container: its name, image and labels. */
export function eventAttributes(record: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(record.config.Labels ?? {}), image: record.imageName, name: record.name, ...extra };
}

/** The json-file log of a container, Docker's path: <data-root>/containers/<id>/<id>-json.log. */
export function logPath(ctx: ContainerContext, id: string): string {
  return `${ctx.store.directory(id)}/${id}-json.log`;
}
