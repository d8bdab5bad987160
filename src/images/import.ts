// `docker import`: a root filesystem tar (plain or gzip) becomes a one-layer image. The layer
// is stored gzip-compressed (both digests computed on the way), then a config (the host's
// platform unless told otherwise, rootfs.diff_ids, one history entry "Imported from -") and a
// Docker v2 schema 2 manifest, as `docker import` makes them, and the image is recorded in the
// image store, tagged if a reference was given.
//
// The tar is parsed once while it is hashed, so that what is not a tar archive is refused with
// a clear message; what its entries do is checked when the layer is unpacked (applyLayer).
import type { Readable } from 'node:stream';
import type { ContentStore } from './content-store.js';
import type { Digest } from './digest.js';
import { MediaType, hostPlatform, normalizePlatform, parsePlatform, type ContainerDefaults, type ImageConfig, type ImageManifest, type Platform } from './formats/index.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { decompressLayer } from './layers/decompress.js';
import { storeGzipLayer, type StoredLayer } from './layers/store-layer.js';

export interface ImportOptions {
  /** The name to tag the image with ("name[:tag]", latest by default). */
  ref?: string;
  /** "os/arch[/variant]" or a Platform; the host's by default. */
  platform?: string | Platform;
  /** The image's container defaults (what `docker import --change` sets). */
  changes?: ContainerDefaults;
  /** The history comment (`docker import --message`); "Imported from <source>" by default. */
  message?: string;
  /** Where the tar came from, for the default comment: "-" (stdin) by default. */
  source?: string;
  /** Creation time (default: now). */
  created?: Date;
  /** Where the compressed layer is staged before it enters the content store. */
  tmpDir?: string;
}

export interface ImportResult {
  image: ImageRecord;
  /** The config digest (the image ID). */
  id: Digest;
  manifestDigest: Digest;
  layer: StoredLayer;
}

async function* chunksOf(stream: Readable): AsyncGenerator<Buffer> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
}

export async function importRootfsTar(
  store: ContentStore,
  imageStore: ImageStore,
  tarStream: Readable,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const platform = normalizePlatform(
    options.platform === undefined ? hostPlatform() : typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform,
  );
  const what = `imported archive (${options.source ?? '-'})`;
  let layer: StoredLayer;
  try {
    layer = await storeGzipLayer(store, decompressLayer(chunksOf(tarStream), what), {
      validateAs: what,
      ...(options.tmpDir !== undefined && { tmpDir: options.tmpDir }),
    });
  } finally {
    tarStream.destroy();
  }

  const created = (options.created ?? new Date()).toISOString();
  const config: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant !== undefined && { variant: platform.variant }),
    created,
    config: options.changes ?? {},
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, comment: options.message ?? `Imported from ${options.source ?? '-'}` }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = await store.put(configBytes);

  const manifest: ImageManifest = {
    kind: 'manifest',
    mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, digest: configDigest, size: configBytes.length },
    layers: [{ mediaType: MediaType.dockerLayerGzip, digest: layer.digest, size: layer.compressedSize }],
  };
  const manifestBytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: manifest.mediaType, config: manifest.config, layers: manifest.layers }),
  );
  const manifestDigest = await store.put(manifestBytes);

  // No repository digest: an imported image was never pushed (Docker shows none either).
  let image = await imageStore.add({ configDigest, manifestDigest, manifest, config });
  if (options.ref !== undefined) {
    await imageStore.tag(configDigest, options.ref);
    image = imageStore.resolve(configDigest);
  }
  return { image, id: configDigest, manifestDigest, layer };
}
