// The daemon's images: the content store, the image store and the graph driver behind the
// image endpoints, and what containers need from them (an image's config and unpacked layers).
// Each endpoint's job lives in its own file (pull.ts, push.ts, remove.ts, ...); this class
// holds the shared state and the rules between jobs:
//   - layers are unpacked and removed one job at a time (the `layers` queue);
//   - a layer is removed only when no image and no container needs it (layer-references.ts),
//     as computed from the image store and the container store at the time of the sweep;
//   - content garbage collection never runs while a job that writes or reads blobs is under
//     way (pull, push, load, import, save, a container's create), and such jobs wait for a
//     collection to finish. The config of an image a container was made from is kept as long
//     as the container exists, even once the image is removed.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ContentStore } from '../../../images/content-store.js';
import { ImageStore, type ContainerUse, type DeleteResponseItem } from '../../../images/image-store.js';
import { parseImageConfig, type ImageConfig } from '../../../images/formats/image-config.js';
import { parseManifest, type ImageManifest } from '../../../images/formats/manifest.js';
import { openGraphDriver, type GraphDriver } from '../../../images/graphdriver/index.js';
import type { ImageRecord } from '../../../images/image-store.js';
import { storedLayers } from '../../../images/graphdriver/stored-layers.js';
import { FailedPrecondition } from '../../../errors.js';
import type { DaemonPaths } from '../../daemon-paths.js';
import type { EventBus } from '../events.js';
import { importImage, type ImportRequest } from './import.js';
import { loadArchive, saveArchive } from './archive.js';
import { login, type LoginResult } from './login.js';
import type { ProgressSink } from './progress.js';
import { pull, type PullRequest } from './pull.js';
import { push, type PushRequest } from './push.js';
import type { AuthConfig } from './registry-auth.js';
import { pruneImages, removeImage, type PruneReport } from './remove.js';
import { historyOf, inspectImage, listImages, type HistoryItem, type ImageInspect, type ImageListOptions, type ImageSummary } from './summaries.js';
import { tagImage } from './tag.js';
import { imageChainIds, unpackLayers, type LayerUnpackEvent } from './unpack.js';
import { neededLayers, unneededLayers } from './layer-references.js';

export interface ImageServiceOptions {
  paths: DaemonPaths;
  storageDriver: string;
  events: EventBus;
  insecureRegistries: string[];
}

/** An image config with every field as stored (comment, container_config, docker_version, ...). */
export type RawImageConfig = ImageConfig & Record<string, unknown>;

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
  /** Set by the daemon: the image of every container there is (repeats allowed). */
  containerImageIds: () => string[] = () => [];
  /** Layer unpacking and removal, one at a time. */
  private layers: Promise<unknown> = Promise.resolve();
  /** Jobs that touch blobs, in flight. */
  private blobJobs = 0;
  /**
   * Chain IDs unpacked since no blob job was in flight: a job may unpack before it records
   * the image or container that needs the layers (a pull, a create), so sweeps leave them.
   */
  private readonly pinned = new Set<string>();
  private collecting: Promise<void> | undefined;
  /** Raw image configs by id: content-addressed, so never stale. */
  private readonly rawConfigs = new Map<string, RawImageConfig>();

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

  get events(): EventBus {
    return this.options.events;
  }

  /** Where imports stage their compressed layer. */
  async scratchDirectory(): Promise<string> {
    const dir = join(this.options.paths.dataRoot, 'tmp');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  // ---- shared rules between jobs ----

  /** Runs a job that writes or reads blobs: no garbage collection meanwhile. */
  async withBlobs<T>(job: () => Promise<T>): Promise<T> {
    while (this.collecting) await this.collecting;
    this.blobJobs++;
    try {
      return await job();
    } finally {
      // Whatever the jobs unpacked is recorded by now (or was not: the next sweep removes it).
      if (--this.blobJobs === 0) this.pinned.clear();
    }
  }

  /** Removes blobs no image references, unless a job is using blobs right now (then: next time). */
  async collectGarbage(): Promise<void> {
    if (this.blobJobs > 0 || this.collecting) return;
    const referenced = this.store.referencedBlobs();
    // A container's image config, even of a removed image: what its layers are (layer-references.ts).
    for (const imageId of this.containerImageIds()) referenced.add(imageId);
    this.collecting = this.content.garbageCollect(referenced).then(() => {}, () => {}).finally(() => {
      this.collecting = undefined;
    });
    await this.collecting;
  }

  /** Runs layer work (unpack, removal) after the layer work queued before it. */
  inLayerQueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.layers.then(work, work);
    this.layers = next.catch(() => {});
    return next;
  }

  /** Unpacks an image's layers into the graph driver; returns the top chain ID. */
  unpack(manifest: ImageManifest, config: ImageConfig, onLayer?: (event: LayerUnpackEvent) => void): Promise<string | undefined> {
    return this.inLayerQueue(() => {
      for (const chain of imageChainIds(config)) this.pinned.add(chain);
      return unpackLayers(this.driver, this.content, manifest, config, onLayer);
    });
  }

  /**
   * Removes every unpacked image layer that no image, no container and no job under way needs
   * (layer-references.ts), children first. Returns the chain IDs removed. Removes nothing when
   * a config it needs cannot be read: those layers stay until a later sweep can tell.
   */
  removeUnusedLayers(): Promise<string[]> {
    return this.inLayerQueue(async () => {
      const users = [...this.store.list().map((image) => image.id), ...this.containerImageIds()];
      const needed = await neededLayers(users, async (imageId) => {
        try {
          return imageChainIds(await this.rawConfig(imageId));
        } catch {
          return undefined;
        }
      });
      if (!needed.known) {
        process.stderr.write(`berthd: layers left in place: the config of image ${needed.imageId} cannot be read, so the layers it needs are unknown\n`);
        return [];
      }
      const removed: string[] = [];
      for (const chainId of unneededLayers(await storedLayers(this.driver), needed.chains, this.pinned)) {
        await this.driver.removeLayer(chainId);
        removed.push(chainId);
      }
      return removed;
    });
  }

  /**
   * After a container is removed: if its image was removed before it (`rmi -f` while the
   * container stood), the layers and the config only the container kept go now, as in Docker.
   */
  async containerRemoved(imageId: string): Promise<void> {
    if (this.store.find(imageId)) return;
    await this.removeUnusedLayers();
    if (!this.containerImageIds().includes(imageId)) this.forgetConfig(imageId);
    await this.collectGarbage();
  }

  async manifestOf(record: ImageRecord): Promise<ImageManifest> {
    const manifest = parseManifest(await this.content.read(record.manifestDigest), undefined, record.manifestDigest);
    if (manifest.kind !== 'manifest') throw new FailedPrecondition(`image ${record.id}: ${record.manifestDigest} is not an image manifest`);
    return manifest;
  }

  /** The config as stored, with the fields berth's ImageConfig type does not name (comment, container_config, ...). */
  async rawConfig(imageId: string): Promise<RawImageConfig> {
    const cached = this.rawConfigs.get(imageId);
    if (cached) return cached;
    const bytes = await this.content.read(imageId);
    const config = parseImageConfig(bytes, `config ${imageId}`) as RawImageConfig;
    this.rawConfigs.set(imageId, config);
    return config;
  }

  forgetConfig(imageId: string): void {
    this.rawConfigs.delete(imageId);
  }

  // ---- what containers need ----

  /** An image's config, or undefined once the image is gone (a container outlives a forced rmi). */
  async imageConfig(imageId: string): Promise<ImageConfig | undefined> {
    if (!(await this.content.has(imageId))) return undefined;
    return parseImageConfig(await this.content.read(imageId), `config ${imageId}`);
  }

  /**
   * The image a container is created from, its layers unpacked (NotFound if not stored), given
   * to `record`, which must record the container before it returns: until then the layers and
   * the config are held by this job (no sweep, no garbage collection takes them), afterwards
   * by the container.
   */
  imageForContainer<T>(nameOrId: string, record: (image: ContainerImage) => Promise<T>): Promise<T> {
    return this.withBlobs(async () => {
      const image = this.store.resolve(nameOrId);
      const manifest = await this.manifestOf(image);
      const config = parseImageConfig(await this.content.read(image.id), `config ${image.id}`);
      return record({ record: image, config, topChainId: await this.unpack(manifest, config) });
    });
  }

  // ---- the image endpoints (router/images/backend.ts) ----

  pull(request: PullRequest, sink: ProgressSink): Promise<void> {
    return pull(this, request, sink);
  }

  push(request: PushRequest, sink: ProgressSink): Promise<void> {
    return push(this, request, sink);
  }

  importImage(request: ImportRequest, body: Readable, sink: ProgressSink): Promise<void> {
    return importImage(this, request, body, sink);
  }

  tag(source: string, repo: string, tag: string | undefined): Promise<void> {
    return tagImage(this, source, repo, tag);
  }

  remove(nameOrId: string, options: { force: boolean; noprune: boolean }): Promise<DeleteResponseItem[]> {
    return removeImage(this, nameOrId, options);
  }

  prune(filters: Map<string, string[]>): Promise<PruneReport> {
    return pruneImages(this, filters);
  }

  list(options: ImageListOptions): Promise<ImageSummary[]> {
    return listImages(this, options);
  }

  inspect(nameOrId: string): Promise<ImageInspect> {
    return inspectImage(this, nameOrId);
  }

  history(nameOrId: string): Promise<HistoryItem[]> {
    return historyOf(this, nameOrId);
  }

  save(names: readonly string[], out: Writable): Promise<void> {
    return saveArchive(this, names, out);
  }

  load(input: AsyncIterable<Buffer>, sink: ProgressSink): Promise<void> {
    return loadArchive(this, input, sink);
  }

  login(auth: AuthConfig): Promise<LoginResult> {
    return login(auth, this.options.insecureRegistries);
  }
}
