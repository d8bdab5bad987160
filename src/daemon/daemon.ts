// berthd assembled: the engine's services over one data root and exec root, and the API's
// routers over them. Each router receives only the services it needs.
import { mkdir } from 'node:fs/promises';
import type { DaemonConfig } from './config.js';
import { DaemonPaths } from './daemon-paths.js';
import { EventBus } from './engine/events.js';
import { ImageService } from './engine/images/image-service.js';
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
  ) {
    systemRoutes(this.router, {
      version: berthVersion,
      events: this.events,
      info: async () => this.info(),
    });
    imageRoutes(this.router, this.images);
  }

  static async open(config: DaemonConfig): Promise<Daemon> {
    const paths = new DaemonPaths(config.dataRoot, config.execRoot);
    await mkdir(paths.dataRoot, { recursive: true, mode: 0o711 });
    await mkdir(paths.execRoot, { recursive: true, mode: 0o711 });
    const events = new EventBus();
    const images = await ImageService.open({ paths, storageDriver: config.storageDriver, events, insecureRegistries: config.insecureRegistries });
    return new Daemon(config, paths, events, images);
  }

  private info(): Record<string, unknown> {
    const images = this.images.store.list();
    return {
      ID: '',
      Containers: 0,
      ContainersRunning: 0,
      ContainersPaused: 0,
      ContainersStopped: 0,
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
