// berthd assembled: the engine's services over one data root and exec root, and the API's
// routers over them. Each router receives only the services it needs.
import { mkdir } from 'node:fs/promises';
import type { DaemonConfig } from './config.js';
import { DaemonPaths } from './daemon-paths.js';
import { EventBus } from './engine/events.js';
import { ContainerEngine } from './engine/container/engine.js';
import { ImageService } from './engine/images/image-service.js';
import { containerRoutes } from './router/containers/routes.js';
import { imageRoutes } from './router/images/routes.js';
import { systemRoutes } from './router/system/routes.js';
import { Router } from './server/router.js';

export const berthVersion = '0.1.0';

export class Daemon {
  readonly router = new Router();

  private constructor(
    readonly config: DaemonConfig,
    readonly paths: DaemonPaths,
    readonly events: EventBus,
    readonly images: ImageService,
    readonly containers: ContainerEngine,
  ) {
    systemRoutes(this.router, {
      version: berthVersion,
      events: this.events,
      info: async () => this.info(),
    });
    imageRoutes(this.router, this.images);
    containerRoutes(this.router, this.containers);
  }

  static async open(config: DaemonConfig): Promise<Daemon> {
    const paths = new DaemonPaths(config.dataRoot, config.execRoot);
    await mkdir(paths.dataRoot, { recursive: true, mode: 0o711 });
    await mkdir(paths.execRoot, { recursive: true, mode: 0o711 });
    const events = new EventBus();
    const images = await ImageService.open({ paths, storageDriver: config.storageDriver, events, insecureRegistries: config.insecureRegistries });
    const containers = await ContainerEngine.open({ config, paths, images, events });
    return new Daemon(config, paths, events, images, containers);
  }

  private info(): Record<string, unknown> {
    const images = this.images.store.list();
    const containers = this.containers.counts();
    return {
      ID: '',
      Containers: containers.total,
      ContainersRunning: containers.running,
      ContainersPaused: containers.paused,
      ContainersStopped: containers.stopped,
      Images: images.length,
      Driver: this.images.driver.name,
      DockerRootDir: this.paths.dataRoot,
      LoggingDriver: 'json-file',
      CgroupDriver: 'cgroupfs',
      DefaultRuntime: this.config.defaultRuntime,
      Runtimes: Object.fromEntries([['berth', { path: 'berth (in process)' }], ...Object.entries(this.config.runtimes).map(([n, r]) => [n, { path: r.path }])]),
      SecurityOptions: ['name=seccomp,profile=builtin'],
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {} },
    };
  }

  async close(): Promise<void> {
    /* services that hold resources close here */
  }
}
