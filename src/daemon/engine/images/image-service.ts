// The daemon's images: the content store, the image store and the graph driver behind the
// image endpoints, and what containers need from them (an image's config and unpacked layers).
import { mkdir } from 'node:fs/promises';
import { ContentStore } from '../../../images/content-store.js';
import { ImageStore, type ContainerUse } from '../../../images/image-store.js';
import { parseImageConfig, type ImageConfig } from '../../../images/formats/image-config.js';
import { parseManifest } from '../../../images/formats/manifest.js';
import { openGraphDriver, unpackImage, type GraphDriver } from '../../../images/graphdriver/index.js';
import type { ImageRecord } from '../../../images/image-store.js';
import { FailedPrecondition } from '../../../errors.js';
import type { DaemonPaths } from '../../daemon-paths.js';
import type { EventBus } from '../events.js';

export interface ImageServiceOptions {
  paths: DaemonPaths;
  storageDriver: string;
  events: EventBus;
  insecureRegistries: string[];
}

/** What a container is made from. */
export interface ContainerImage {
  record: ImageRecord;
  config: ImageConfig;
  /** The top layer's chain ID, unpacked; undefined for an image without layers. */
  topChainId: string | undefined;
}

export class ImageService {
  /** Set by the daemon: which container, if any, uses an image (Docker's removal rules). */
  containerUse: (imageId: string) => ContainerUse | undefined = () => undefined;
  private unpacking: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly options: ImageServiceOptions,
    readonly content: ContentStore,
    readonly store: ImageStore,
    readonly driver: GraphDriver,
  ) {}

  static async open(options: ImageServiceOptions): Promise<ImageService> {
    await mkdir(options.paths.images, { recursive: true });
    const content = new ContentStore(options.paths.content);
    const store = await ImageStore.open(options.paths.images);
    const driver = await openGraphDriver(options.paths.graph, options.storageDriver);
    return new ImageService(options, content, store, driver);
  }

  /** The image a container is created from, its layers unpacked (NotFound if not stored). */
  async imageForContainer(nameOrId: string): Promise<ContainerImage> {
    const record = this.store.resolve(nameOrId);
    const manifest = parseManifest(await this.content.read(record.manifestDigest), undefined, record.manifestDigest);
    if (manifest.kind !== 'manifest') throw new FailedPrecondition(`image ${nameOrId}: ${record.manifestDigest} is not an image manifest`);
    const config = parseImageConfig(await this.content.read(record.id), `config ${record.id}`);
    // One unpack at a time: two creates from one new image must not both make its layers.
    const unpacked = this.unpacking.then(() => unpackImage(this.driver, this.content, manifest, config));
    this.unpacking = unpacked.catch(() => {});
    return { record, config, topChainId: await unpacked };
  }
}
