// berthd assembled: the engine's services over one data root and exec root, and the API's
// routers over them. Each router receives only the services it needs.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { DaemonConfig } from './config.js';
import { DaemonPaths } from './daemon-paths.js';
import { EventBus } from './engine/events.js';
import { ContainerEngine } from './engine/container/engine.js';
import { ImageService } from './engine/images/image-service.js';
import { defaultPluginDir } from './engine/network/cni/plugin.js';
import { ContainerNetworking } from './engine/network/container-networking.js';
import { hostResolvers } from './engine/network/dns/upstreams.js';
import { NetworkEngine } from './engine/network/network-engine.js';
import { NetworkService } from './engine/network/network-service.js';
import { containerRoutes } from './router/containers/routes.js';
import { imageRoutes } from './router/images/routes.js';
import { networkRoutes } from './router/networks/routes.js';
import { systemRoutes } from './router/system/routes.js';
import { Router } from './server/router.js';

export const berthVersion = '0.1.0';

function readResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

export class Daemon {
  readonly router = new Router();

  private constructor(
    readonly config: DaemonConfig,
    readonly paths: DaemonPaths,
    readonly events: EventBus,
    readonly images: ImageService,
    readonly containers: ContainerEngine,
    readonly networks: NetworkService,
    networking: ContainerNetworking,
  ) {
    systemRoutes(this.router, {
      version: berthVersion,
      events: this.events,
      info: async () => this.info(),
    });
    imageRoutes(this.router, this.images);
    containerRoutes(this.router, this.containers);
    networkRoutes(this.router, new NetworkEngine(networks, networking, containers.directory()));
  }

  static async open(config: DaemonConfig): Promise<Daemon> {
    const paths = new DaemonPaths(config.dataRoot, config.execRoot);
    await mkdir(paths.dataRoot, { recursive: true, mode: 0o711 });
    await mkdir(paths.execRoot, { recursive: true, mode: 0o711 });
    const events = new EventBus();
    const images = await ImageService.open({ paths, storageDriver: config.storageDriver, events, insecureRegistries: config.insecureRegistries });
    const networks = await NetworkService.open(paths.networks, {
      bridgeName: config.network.bridge,
      bip: config.network.bip,
      addressPools: config.network.addressPools,
      // The host's resolvers, read at each use: resolv.conf changes under a running daemon.
      upstreams: () => hostResolvers(readResolvConf()),
      dnsPort: 53,
    }, events);
    const networking = new ContainerNetworking(networks, defaultPluginDir(), paths.networkNamespaces, events);
    const containers = await ContainerEngine.open({ config, paths, images, networks, networking, events });
    return new Daemon(config, paths, events, images, containers, networks, networking);
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
    await this.networks.close();
  }
}
