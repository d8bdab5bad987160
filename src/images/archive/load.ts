// `docker load`: an image archive read as a stream, in any of the layouts Docker and its peers
// write: Docker 25+ (an OCI layout plus manifest.json), the classic docker-archive (manifest.json,
// <hex>.json configs, <id>/layer.tar), and a plain OCI image layout. Nothing is extracted to
// disk: every blobs/<alg>/<hex> entry streams straight into the content store's ingest, which
// verifies it against its name; other entries (small metadata, a classic archive's layers) are
// held in memory. Hostile archives (absolute names, "..", links, devices) are refused, and
// pre-1.10 archives (no manifest.json) are Unsupported. Images are recorded only once every
// blob they need has been stored and checked.
import { InvalidArgument, Unsupported } from '../../errors.js';
import type { ContentStore } from '../content-store.js';
import { isDigest } from '../digest.js';
import { parseManifest, type Descriptor } from '../formats/manifest.js';
import type { ImageStore } from '../image-store.js';
import { decompressLayer } from '../layers/decompress.js';
import { readTarEntries } from '../layers/tar-entries.js';
import {
  checkNamedDigest,
  nameFromAnnotations,
  parseDockerManifestJson,
  planFromDescriptor,
  planFromDockerEntry,
  recordImages,
  requirePresent,
  tagOf,
  type LoadResult,
  type PlannedImage,
} from './record.js';

export type { LoadResult, LoadedImage } from './record.js';

export interface LoadOptions {
  signal?: AbortSignal;
  /** Bytes of non-blob entries held in memory at most (default 1 GiB; classic archives' layers count). */
  maxBufferedBytes?: number;
}

const source = 'image archive';
const blobPath = /^blobs\/(sha256|sha512)\/([^/]+)$/;
const legacyEntry = /^[0-9a-f]{64}\/(json|layer\.tar|VERSION)$/;
const defaultMaxBuffered = 1024 * 1024 * 1024;

/**
 * A member name made relative and clean ("./a//b" → "a/b"); absolute names and any ".." are
 * refused rather than cleaned, since no honest archive writer produces them.
 */
export function archiveEntryName(name: string): string {
  if (name.startsWith('/')) throw new InvalidArgument(`refusing the ${source}: entry "${name}" has an absolute path`);
  if (name.includes('\\')) throw new InvalidArgument(`refusing the ${source}: entry "${name}" contains a backslash`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new InvalidArgument(`refusing the ${source}: entry "${name}" climbs out of the archive with ".."`);
  return parts.join('/');
}

/**
 * Where a link inside the archive points, as an archive name: a symlink's target is relative to
 * its own directory, a hard link's to the archive's root. Undefined when it leaves the archive.
 */
function linkTarget(name: string, type: string, linkpath: string): string | undefined {
  if (linkpath === '' || linkpath.startsWith('/') || linkpath.includes('\\')) return undefined;
  const base = type === 'SymbolicLink' ? name.split('/').slice(0, -1) : [];
  const parts = [...base];
  for (const part of linkpath.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length === 0 ? undefined : parts.join('/');
}

/** Reads an image archive (plain or compressed tar) and records its images with their tags. */
export async function loadImages(
  store: ContentStore,
  imageStore: ImageStore,
  input: AsyncIterable<Buffer>,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const maxBuffered = options.maxBufferedBytes ?? defaultMaxBuffered;
  const files = new Map<string, Buffer>();
  const blobs = new Map<string, string>();
  const skipped: string[] = [];
  const aliases = new Map<string, string>();
  let buffered = 0;

  const entries = readTarEntries(decompressLayer(input, source), {
    layerName: source,
    onSkipped: (path, type) => skipped.push(`${path} (${type})`),
  });
  for await (const entry of entries) {
    options.signal?.throwIfAborted();
    const name = archiveEntryName(entry.path);
    switch (entry.type) {
      case 'Directory':
      case 'GNUDumpDir':
        continue;
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        break;
      case 'SymbolicLink':
      case 'Link': {
        // Classic archives (Docker before 25, skopeo) link a layer used twice to its first copy:
        // kept as an alias between two names inside the archive, never created on disk.
        const target = linkTarget(name, entry.type, entry.linkpath ?? '');
        if (target === undefined || name.startsWith('blobs/') || ['manifest.json', 'index.json', 'oci-layout', 'repositories'].includes(name)) {
          throw new InvalidArgument(
            `refusing the ${source}: entry "${entry.path}" is a ${entry.type === 'Link' ? 'hard' : 'symbolic'} link to "${entry.linkpath ?? ''}"${target === undefined ? ', outside the archive' : ''}; only a classic archive's layers may be links`,
          );
        }
        aliases.set(name, target);
        continue;
      }
      default:
        throw new InvalidArgument(`refusing the ${source}: entry "${entry.path}" is a ${entry.type}; image archives hold only files`);
    }
    if (name === '') continue;
    const blob = blobPath.exec(name);
    if (blob) {
      const digest = `${blob[1]}:${blob[2]}`;
      if (!isDigest(digest)) throw new InvalidArgument(`refusing the ${source}: entry "${name}" is not named by a valid digest`);
      try {
        await store.ingest(digest, entry.size, entry.body(), options.signal ? { signal: options.signal } : {});
      } catch (err) {
        if (err instanceof InvalidArgument) {
          throw new InvalidArgument(`refusing the ${source}: entry "${name}" does not match its digest: ${err.message}`, { cause: err });
        }
        throw err;
      }
      blobs.set(name, digest);
      continue;
    }
    if (name.startsWith('blobs/')) throw new InvalidArgument(`refusing the ${source}: unexpected entry "${name}" under blobs/`);
    buffered += entry.size;
    if (buffered > maxBuffered) {
      throw new Unsupported(`${source}: its entries outside blobs/ exceed ${maxBuffered} bytes; save it in the OCI or Docker 25+ layout, whose layers are streamed`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body()) chunks.push(chunk);
    files.set(name, Buffer.concat(chunks));
  }
  if (skipped.length > 0) throw new InvalidArgument(`refusing the ${source}: entries of unsupported types: ${skipped.join(', ')}`);

  let planned: PlannedImage[];
  const indexJson = files.get('index.json');
  const index = indexJson === undefined ? undefined : parseIndexJson(indexJson, 'index.json');
  if (files.has('manifest.json')) {
    planned = await planDockerArchive(store, files, blobs, aliases, index?.manifests ?? []);
  } else if (index) {
    checkOciLayoutFile(files.get('oci-layout'), 'oci-layout');
    const ensure = requirePresent(store, source);
    planned = [];
    for (const d of index.manifests) {
      const image = await planFromDescriptor(store, d, ensure, source);
      const name = nameFromAnnotations(d.annotations);
      const tag = name === undefined ? undefined : tagOf(name, source);
      planned.push({ image, tags: tag === undefined ? [] : [tag] });
    }
  } else if ([...files.keys()].some((n) => legacyEntry.test(n)) || files.has('repositories')) {
    throw new Unsupported(
      `${source}: this is a legacy archive from Docker before 1.10 (<id>/layer.tar and <id>/json, no manifest.json), which berth does not load; save the image again with a current Docker`,
    );
  } else {
    throw new InvalidArgument(`${source}: not an image archive (it has neither manifest.json nor index.json)`);
  }
  return recordImages(imageStore, planned);
}

/** manifest.json's images, their paths resolved to blobs already stored or to entries held in memory. */
async function planDockerArchive(
  store: ContentStore,
  files: Map<string, Buffer>,
  blobs: Map<string, string>,
  aliases: Map<string, string>,
  candidates: readonly Descriptor[],
): Promise<PlannedImage[]> {
  const stored = new Map<string, string>();
  const resolve = async (path: string, field: string): Promise<string> => {
    let name = archiveEntryName(path);
    for (let hops = 0; aliases.has(name); hops++) {
      if (hops > 16) throw new InvalidArgument(`${source}: links from "${path}" go round in a loop`);
      name = aliases.get(name)!;
    }
    const blob = blobs.get(name);
    if (blob !== undefined) return blob;
    const already = stored.get(name);
    if (already !== undefined) return already;
    const bytes = files.get(name);
    if (bytes === undefined) throw new InvalidArgument(`${source}: manifest.json ${field} "${path}" is not in the archive`);
    // Classic archives name configs "<config hex>.json" and (skopeo) layers "<hex>.tar".
    const named = /^([0-9a-f]{64})\.(json|tar)$/.exec(name)?.[1];
    const digest = checkNamedDigest(bytes, named, name);
    await store.put(bytes);
    stored.set(name, digest);
    return digest;
  };
  const planned: PlannedImage[] = [];
  for (const [i, entry] of parseDockerManifestJson(files.get('manifest.json')!).entries()) {
    const configDigest = await resolve(entry.Config, `[${i}].Config`);
    const layers: string[] = [];
    for (const [j, layer] of entry.Layers.entries()) layers.push(await resolve(layer, `[${i}].Layers[${j}]`));
    const image = await planFromDockerEntry(store, configDigest, layers, candidates, `${source}: manifest.json[${i}]`);
    const tags = (entry.RepoTags ?? []).map((t) => tagOf(t, `${source}: manifest.json[${i}].RepoTags`)).filter((t): t is string => t !== undefined);
    planned.push({ image, tags });
  }
  return planned;
}

export function parseIndexJson(bytes: Uint8Array, name: string): { manifests: Descriptor[] } {
  const parsed = parseManifest(bytes, 'application/vnd.oci.image.index.v1+json', name);
  if (parsed.kind !== 'index') throw new InvalidArgument(`${name} must be an image index`);
  return parsed;
}

/** The oci-layout file: {"imageLayoutVersion": "1.0.0"} (1.x). */
export function checkOciLayoutFile(bytes: Uint8Array | undefined, name: string): void {
  if (bytes === undefined) throw new InvalidArgument(`${name} is missing: not an OCI image layout`);
  let version: unknown;
  try {
    version = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch (err) {
    throw new InvalidArgument(`${name} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof version !== 'string' || !/^1\.\d+\.\d+$/.test(version)) {
    throw new Unsupported(`${name}: image layout version ${JSON.stringify(version)} is not 1.x`);
  }
}
