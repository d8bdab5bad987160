// Pushing an image from the content store to a registry: every blob its manifests name (configs
// and layers, each once), then the manifests themselves, platform manifests before the index
// that lists them, as the registry requires. A blob the repository has is skipped, one another
// repository of the registry has is mounted, and the rest are streamed from their files.
// Manifests are sent byte for byte as stored, so their digests do not change on the way.
import { InvalidArgument, NotFound } from '../../errors.js';
import type { ContentStore } from '../content-store.js';
import { sha256Digest } from '../digest.js';
import { parseManifest, type Descriptor, type ImageIndex, type ImageManifest } from '../formats/manifest.js';
import { MediaType } from '../formats/media-types.js';
import type { ImageReference } from '../reference.js';
import type { RegistryClient } from './registry-client.js';

/** Per-blob progress, as `docker push` shows it ("Pushing 12MB/30MB", "Layer already exists", "Mounted from …"). */
export interface PushProgress {
  digest: string;
  kind: 'config' | 'layer';
  status: 'exists' | 'mounted' | 'uploading' | 'done';
  bytes: number;
  total: number;
}

export interface PushOptions {
  /** The manifest or index to push (its digest in the content store). */
  manifestDigest: string;
  /** Blobs uploaded at once (Docker's default is 3). */
  concurrency?: number;
  /** Another repository of the same registry ("library/busybox") that may already have the blobs. */
  mountFrom?: string;
  /** Upload in PATCH requests of this many bytes (for proxies that limit request sizes). */
  chunkSize?: number;
  onProgress?: (progress: PushProgress) => void;
}

export interface PushedImage {
  /** The digest of what the reference now names (the index's, for a multi-platform image). */
  digest: string;
  /** Its size in bytes, which `docker push` prints next to the digest. */
  size: number;
  /** The platform manifests pushed before an index (empty for a single manifest). */
  manifests: string[];
}

interface StoredManifest {
  digest: string;
  bytes: Buffer;
  parsed: ImageIndex | ImageManifest;
}

interface BlobToPush {
  descriptor: Descriptor;
  kind: PushProgress['kind'];
}

/** Docker does not push these (their content lives at the URLs they name), nor does berth. */
const nonDistributableTypes: ReadonlySet<string> = new Set([
  MediaType.dockerForeignLayerGzip,
  MediaType.ociLayerNondistributable,
  MediaType.ociLayerNondistributableGzip,
]);

export async function pushImage(client: RegistryClient, ref: ImageReference, store: ContentStore, options: PushOptions): Promise<PushedImage> {
  const repository = ref.path;
  if (ref.digest !== undefined && ref.digest !== options.manifestDigest) {
    throw new InvalidArgument(`cannot push ${options.manifestDigest} as ${repository}@${ref.digest}: a digest reference must name the content pushed`);
  }
  // Mounting from the repository itself would only ever find what HEAD already found.
  const mountFrom = options.mountFrom === repository ? undefined : options.mountFrom;

  // Everything is read and checked before the first request: a push that cannot finish does
  // not start.
  const top = await readManifest(store, options.manifestDigest);
  const platformManifests = top.parsed.kind === 'index'
    ? await Promise.all(top.parsed.manifests.map((d) => readManifest(store, d.digest, top.digest)))
    : [];
  const images = top.parsed.kind === 'index' ? platformManifests : [top];
  const blobs = await blobsToPush(store, images);

  await inParallel(blobs, options.concurrency ?? 3, (blob) => pushBlob(client, store, repository, blob, { ...options, mountFrom }));

  for (const manifest of platformManifests) await putManifest(client, repository, manifest.digest, manifest);
  await putManifest(client, repository, ref.tag ?? ref.digest ?? 'latest', top);
  return { digest: top.digest, size: top.bytes.length, manifests: platformManifests.map((m) => m.digest) };
}

/** A manifest or index from the content store, checked to be one. */
async function readManifest(store: ContentStore, digest: string, listedIn?: string): Promise<StoredManifest> {
  if (!(await store.has(digest))) {
    const where = listedIn === undefined ? '' : ` (listed in index ${listedIn}; push one platform, or pull them all first)`;
    throw new NotFound(`manifest ${digest} is not in the content store${where}`);
  }
  const bytes = await store.read(digest);
  const parsed = parseManifest(bytes, undefined, `manifest ${digest}`);
  if (listedIn !== undefined && parsed.kind !== 'manifest') throw new InvalidArgument(`${digest}: an index inside an index is not supported`);
  return { digest, bytes, parsed };
}

/** The configs and layers of the images, each once (platforms share layers), all present locally. */
async function blobsToPush(store: ContentStore, images: readonly StoredManifest[]): Promise<BlobToPush[]> {
  const blobs = new Map<string, BlobToPush>();
  for (const image of images) {
    const manifest = image.parsed as ImageManifest;
    blobs.set(manifest.config.digest, { descriptor: manifest.config, kind: 'config' });
    for (const layer of manifest.layers) {
      if (nonDistributableTypes.has(layer.mediaType)) continue;
      if (!blobs.has(layer.digest)) blobs.set(layer.digest, { descriptor: layer, kind: 'layer' });
    }
  }
  for (const { descriptor } of blobs.values()) {
    const info = await store.info(descriptor.digest);
    if (!info) throw new NotFound(`blob ${descriptor.digest} is not in the content store`);
    if (info.size !== descriptor.size) {
      throw new InvalidArgument(`blob ${descriptor.digest}: the manifest says ${descriptor.size} bytes, the content store has ${info.size}`);
    }
  }
  return [...blobs.values()];
}

async function pushBlob(
  client: RegistryClient,
  store: ContentStore,
  repository: string,
  blob: BlobToPush,
  options: Omit<PushOptions, 'mountFrom'> & { mountFrom: string | undefined },
): Promise<void> {
  const { digest, size } = blob.descriptor;
  const report = (status: PushProgress['status'], bytes: number) => options.onProgress?.({ digest, kind: blob.kind, status, bytes, total: size });
  if ((await client.blobSize(repository, digest, 'pull,push')) !== undefined) {
    report('exists', size);
    return;
  }
  if (options.mountFrom !== undefined && (await client.mountBlob(repository, digest, options.mountFrom))) {
    report('mounted', size);
    return;
  }
  report('uploading', 0);
  const uploadOptions: Parameters<RegistryClient['uploadBlobFromFile']>[4] = { onProgress: (bytes) => report('uploading', bytes) };
  if (options.chunkSize !== undefined) uploadOptions.chunkSize = options.chunkSize;
  await client.uploadBlobFromFile(repository, digest, store.path(digest), size, uploadOptions);
  report('done', size);
}

/** PUTs the stored bytes unchanged, and checks the registry computed the same digest. */
async function putManifest(client: RegistryClient, repository: string, reference: string, manifest: StoredManifest): Promise<void> {
  const stored = await client.putManifest(repository, reference, manifest.bytes, manifest.parsed.mediaType);
  const expected = sha256Digest(manifest.bytes);
  if (stored !== undefined && stored !== expected) {
    throw new InvalidArgument(`manifest ${manifest.digest} pushed to ${repository}:${reference}: the registry computed digest ${stored}`);
  }
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
