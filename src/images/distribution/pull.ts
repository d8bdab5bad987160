// Pulling an image into the content store: the manifest (through an index, for the platform
// wanted), the config and the layers, each verified against its digest before it is visible.
// Layers come in parallel, a few at a time, resuming where an interrupted pull stopped.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { InvalidArgument } from '../../errors.js';
import type { ContentStore } from '../content-store.js';
import { sha256Digest } from '../digest.js';
import { checkLayersMatch, parseImageConfig, type ImageConfig } from '../formats/image-config.js';
import { parseManifest, type Descriptor, type ImageManifest } from '../formats/manifest.js';
import { hostPlatform, selectManifest, type Platform } from '../formats/platform.js';
import { layerMediaTypes } from '../formats/media-types.js';
import type { ImageReference } from '../reference.js';
import type { RegistryClient } from './registry-client.js';

/** Per-blob progress, as the CLI's bars show it (docker's "Downloading 12MB/30MB"). */
export interface PullProgress {
  digest: string;
  kind: 'config' | 'layer';
  status: 'exists' | 'downloading' | 'done';
  bytes: number;
  total: number;
}

export interface PullOptions {
  platform?: Platform;
  /** Layers downloaded at once (Docker's default is 3). */
  concurrency?: number;
  onProgress?: (progress: PullProgress) => void;
}

export interface PulledImage {
  /** The digest the reference resolved to (an index's, for multi-platform images). */
  digest: string;
  /** The platform's own manifest. */
  manifestDigest: string;
  manifest: ImageManifest;
  configDigest: string;
  config: ImageConfig;
}

export async function pullImage(client: RegistryClient, ref: ImageReference, store: ContentStore, options: PullOptions = {}): Promise<PulledImage> {
  const repository = ref.path;
  const top = await fetchManifest(client, store, repository, ref.digest ?? ref.tag ?? 'latest', ref.digest);
  let manifestDigest = top.digest;
  let manifest = top.parsed;
  if (manifest.kind === 'index') {
    const chosen = selectManifest(manifest, options.platform ?? hostPlatform());
    const platformManifest = await fetchManifest(client, store, repository, chosen.digest, chosen.digest);
    if (platformManifest.parsed.kind !== 'manifest') throw new InvalidArgument(`${chosen.digest}: an index inside an index is not supported`);
    manifestDigest = platformManifest.digest;
    manifest = platformManifest.parsed;
  }
  const image = manifest;
  await fetchBlob(client, store, repository, image.config, 'config', options.onProgress);
  const config = parseImageConfig(await store.read(image.config.digest), `config ${image.config.digest}`);
  checkLayersMatch(image, config, `${repository}@${manifestDigest}`);
  for (const layer of image.layers) {
    if (!layerMediaTypes.has(layer.mediaType)) throw new InvalidArgument(`layer ${layer.digest}: media type "${layer.mediaType}" is not a layer berth can unpack`);
  }
  await inParallel(image.layers, options.concurrency ?? 3, (layer) => fetchBlob(client, store, repository, layer, 'layer', options.onProgress));
  return { digest: top.digest, manifestDigest, manifest: image, configDigest: image.config.digest, config };
}

/** A manifest by tag or digest, checked against the digest asked for, stored by its digest. */
async function fetchManifest(client: RegistryClient, store: ContentStore, repository: string, reference: string, expected: string | undefined) {
  const { bytes, contentType } = await client.getManifest(repository, reference);
  const digest = sha256Digest(bytes);
  if (expected !== undefined && expected !== digest) {
    throw new InvalidArgument(`manifest ${repository}@${expected}: the registry sent content with digest ${digest}`);
  }
  const parsed = parseManifest(bytes, contentType, `manifest ${repository}@${digest}`);
  await store.put(bytes);
  return { digest, parsed };
}

async function fetchBlob(
  client: RegistryClient,
  store: ContentStore,
  repository: string,
  blob: Descriptor,
  kind: PullProgress['kind'],
  onProgress: PullOptions['onProgress'],
): Promise<void> {
  const report = (status: PullProgress['status'], bytes: number) => onProgress?.({ digest: blob.digest, kind, status, bytes, total: blob.size });
  if (await store.has(blob.digest)) {
    report('exists', blob.size);
    return;
  }
  const already = await store.partialSize(blob.digest);
  const { response, body, offset } = await client.fetchBlob(repository, blob.digest, already);
  let bytes = offset;
  report('downloading', bytes);
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of Readable.fromWeb(body as WebReadableStream<Uint8Array>)) {
      bytes += (chunk as Uint8Array).length;
      report('downloading', bytes);
      yield chunk as Uint8Array;
    }
    // Held until the body is read through (see fetchBlob).
    void response;
  }
  await store.ingest(blob.digest, blob.size, counted(), offset > 0 ? { resumeFrom: offset } : {});
  report('done', blob.size);
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
