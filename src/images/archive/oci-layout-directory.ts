// Loading an OCI image layout directory (what `skopeo copy … oci:<dir>:<tag>` and buildkit's
// OCI exporter write): index.json's entries, each blob copied into the content store through
// its verifying ingest. Blob paths are built from validated digests only, and must be regular
// files (a symlink in the layout is refused, not followed).
import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgument, NotFound, errnoCode } from '../../errors.js';
import type { ContentStore } from '../content-store.js';
import { parseDigest } from '../digest.js';
import type { ImageStore } from '../image-store.js';
import { parseReference } from '../reference.js';
import { checkOciLayoutFile, parseIndexJson } from './load.js';
import {
  nameFromAnnotations,
  notFoundInIndex,
  ociRefNameAnnotation,
  planFromDescriptor,
  recordImages,
  tagOf,
  type EnsureBlob,
  type LoadResult,
  type PlannedImage,
} from './record.js';

export interface LoadOciLayoutOptions {
  /** Only the entry whose org.opencontainers.image.ref.name is this (skopeo's `oci:<dir>:<ref>`). */
  ref?: string;
  /**
   * The name to record: with a tag ("busybox:1.36") it names the image outright; without one
   * ("busybox") it is the repository that bare-tag ref.names ("1.36") are put on.
   */
  name?: string;
}

async function readLayoutFile(dir: string, name: string): Promise<Buffer | undefined> {
  try {
    return await readFile(join(dir, name));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

export async function loadOciLayoutDirectory(
  store: ContentStore,
  imageStore: ImageStore,
  dir: string,
  options: LoadOciLayoutOptions = {},
): Promise<LoadResult> {
  const source = `OCI layout ${dir}`;
  checkOciLayoutFile(await readLayoutFile(dir, 'oci-layout'), `${source}: oci-layout`);
  const indexBytes = await readLayoutFile(dir, 'index.json');
  if (indexBytes === undefined) throw new InvalidArgument(`${source}: index.json is missing`);
  const index = parseIndexJson(indexBytes, `${source}: index.json`);

  let entries = index.manifests;
  if (options.ref !== undefined) {
    entries = entries.filter((d) => d.annotations?.[ociRefNameAnnotation] === options.ref);
    if (entries.length === 0) throw notFoundInIndex(options.ref, source);
  }

  let fixedName: string | undefined;
  let repository: string | undefined;
  if (options.name !== undefined) {
    const ref = parseReference(options.name);
    if (ref.tag !== undefined || ref.digest !== undefined) fixedName = options.name;
    else repository = options.name;
  }

  const ensure: EnsureBlob = async (descriptor, what) => {
    const { algorithm, hex } = parseDigest(descriptor.digest);
    const path = join(dir, 'blobs', algorithm, hex);
    let info;
    try {
      info = await lstat(path);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new NotFound(`${source}: ${what} ${descriptor.digest} is not in the layout`);
      throw err;
    }
    if (!info.isFile()) throw new InvalidArgument(`${source}: blobs/${algorithm}/${hex} is not a regular file`);
    // Sizes come from descriptors where known; the digest is checked either way.
    const size = descriptor.size > 0 ? descriptor.size : undefined;
    try {
      await store.ingest(descriptor.digest, size, createReadStream(path));
    } catch (err) {
      if (err instanceof InvalidArgument) {
        throw new InvalidArgument(`${source}: blobs/${algorithm}/${hex} does not match its digest: ${err.message}`, { cause: err });
      }
      throw err;
    }
  };

  const planned: PlannedImage[] = [];
  for (const d of entries) {
    const image = await planFromDescriptor(store, d, ensure, source);
    const name = fixedName ?? nameFromAnnotations(d.annotations, repository);
    const tag = name === undefined ? undefined : tagOf(name, source);
    planned.push({ image, tags: tag === undefined ? [] : [tag] });
  }
  return recordImages(imageStore, planned);
}
