// What `docker load` and `loadOciLayoutDirectory` share once the blobs are in the content store:
// finding the images an archive describes (Docker's manifest.json, or an OCI index.json), checking
// that every blob they need is there, and recording them with their names in the image store.
// Nothing is recorded until every image of the archive has been checked.
import { open } from 'node:fs/promises';
import { InvalidArgument, NotFound } from '../../errors.js';
import type { ContentStore } from '../content-store.js';
import { isDigest, sha256Digest } from '../digest.js';
import { checkLayersMatch, parseImageConfig, type ImageConfig } from '../formats/image-config.js';
import { parseManifest, type Descriptor, type ImageIndex, type ImageManifest } from '../formats/manifest.js';
import { MediaType } from '../formats/media-types.js';
import { hostPlatform, selectManifest } from '../formats/platform.js';
import type { ImageStore, NewImage } from '../image-store.js';
import { familiarString, parseReference, withDefaultTag } from '../reference.js';

/** containerd's (and Docker 25's) annotation with the image's full name. */
export const containerdNameAnnotation = 'io.containerd.image.name';
/** OCI's name for a manifest in an index: a tag ("latest") or a full reference. */
export const ociRefNameAnnotation = 'org.opencontainers.image.ref.name';

export interface LoadedImage {
  id: string;
  /** Familiar names: "busybox:latest". */
  tags: string[];
}

export interface LoadResult {
  /** Docker's lines: "Loaded image: busybox:latest", "Loaded image ID: sha256:…". */
  messages: string[];
  images: LoadedImage[];
}

/** An image found in an archive, checked, not yet recorded. */
export interface PlannedImage {
  image: NewImage;
  tags: string[];
}

/** Makes sure a blob an image needs is in the content store (copies it there, or checks). */
export type EnsureBlob = (descriptor: Pick<Descriptor, 'digest' | 'size'>, what: string) => Promise<void>;

/** The check used once an archive's blobs have all been stored: a missing one is an error. */
export function requirePresent(store: ContentStore, source: string): EnsureBlob {
  return async (descriptor, what) => {
    if (!(await store.has(descriptor.digest))) throw new InvalidArgument(`${source}: ${what} ${descriptor.digest} is not in the archive`);
  };
}

/** A familiar "name:tag" for a reference text, or undefined for a digest-only reference. */
export function tagOf(text: string, source: string): string | undefined {
  let ref;
  try {
    ref = parseReference(text);
  } catch (err) {
    throw new InvalidArgument(`${source}: invalid image name "${text}": ${(err as Error).message}`, { cause: err });
  }
  if (ref.tag === undefined && ref.digest !== undefined) return undefined;
  const tagged = withDefaultTag({ domain: ref.domain, path: ref.path, ...(ref.tag !== undefined && { tag: ref.tag }) });
  return familiarString(tagged);
}

/**
 * The name an index entry gives its image: containerd's full-name annotation, else OCI's
 * ref.name when it is a full reference, else (a bare tag) that tag on `repository` if given.
 */
export function nameFromAnnotations(annotations: Record<string, string> | undefined, repository?: string): string | undefined {
  const full = annotations?.[containerdNameAnnotation];
  if (full) return full;
  const refName = annotations?.[ociRefNameAnnotation];
  if (!refName) return undefined;
  if (/[/:@]/.test(refName)) return refName;
  return repository === undefined ? undefined : `${repository}:${refName}`;
}

async function readJsonBlob(store: ContentStore, digest: string): Promise<Buffer> {
  return store.read(digest);
}

/** Reads and checks a config and its layers against a manifest. */
async function checkImage(store: ContentStore, manifest: ImageManifest, ensure: EnsureBlob, source: string): Promise<ImageConfig> {
  await ensure(manifest.config, 'config');
  const config = parseImageConfig(await readJsonBlob(store, manifest.config.digest), `${source}: config ${manifest.config.digest}`);
  checkLayersMatch(manifest, config, source);
  for (const layer of manifest.layers) {
    await ensure(layer, 'layer');
    const info = await store.info(layer.digest);
    if (info && info.size !== layer.size) {
      throw new InvalidArgument(`${source}: layer ${layer.digest} has ${info.size} bytes, the manifest says ${layer.size}`);
    }
  }
  return config;
}

/**
 * The image an index.json entry designates: a manifest, or (an index) the manifest for this
 * host's platform among those present.
 */
export async function planFromDescriptor(
  store: ContentStore,
  top: Descriptor,
  ensure: EnsureBlob,
  source: string,
): Promise<NewImage> {
  await ensure(top, 'manifest');
  const parsed = parseManifest(await readJsonBlob(store, top.digest), top.mediaType, `${source}: manifest ${top.digest}`);
  let manifestDigest = top.digest;
  let manifest: ImageManifest;
  if (parsed.kind === 'index') {
    const chosen = await chooseFromIndex(parsed, ensure, `${source}: index ${top.digest}`);
    const child = parseManifest(await readJsonBlob(store, chosen.digest), chosen.mediaType, `${source}: manifest ${chosen.digest}`);
    if (child.kind !== 'manifest') throw new InvalidArgument(`${source}: ${chosen.digest}: an index inside an index is not supported`);
    manifestDigest = chosen.digest;
    manifest = child;
  } else {
    manifest = parsed;
  }
  const config = await checkImage(store, manifest, ensure, `${source}: image ${manifestDigest}`);
  const image: NewImage = { configDigest: manifest.config.digest, manifestDigest, manifest, config };
  if (manifestDigest !== top.digest) image.digest = top.digest;
  return image;
}

/** The host's platform among the manifests the archive carries (archives often hold only one). */
async function chooseFromIndex(index: ImageIndex, ensure: EnsureBlob, source: string): Promise<Descriptor> {
  const present: Descriptor[] = [];
  for (const d of index.manifests) {
    try {
      await ensure(d, 'manifest');
      present.push(d);
    } catch {
      /* a platform the archive does not carry */
    }
  }
  if (present.length === 0) throw new InvalidArgument(`${source}: none of its ${index.manifests.length} manifests is in the archive`);
  try {
    return selectManifest({ ...index, manifests: present }, hostPlatform());
  } catch (err) {
    if (present.length === 1) return present[0]!;
    throw err;
  }
}

/** One entry of Docker's manifest.json. */
export interface DockerManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

export function parseDockerManifestJson(bytes: Uint8Array): DockerManifestEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new InvalidArgument(`manifest.json is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(json)) throw new InvalidArgument('manifest.json must be an array');
  return json.map((value: unknown, i) => {
    const e = value as Record<string, unknown>;
    if (typeof e !== 'object' || e === null) throw new InvalidArgument(`manifest.json[${i}] must be an object`);
    if (typeof e.Config !== 'string') throw new InvalidArgument(`manifest.json[${i}].Config must be a string`);
    if (!Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string')) throw new InvalidArgument(`manifest.json[${i}].Layers must be an array of strings`);
    const tags = e.RepoTags ?? null;
    if (tags !== null && (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))) {
      throw new InvalidArgument(`manifest.json[${i}].RepoTags must be an array of strings`);
    }
    return { Config: e.Config, RepoTags: tags as string[] | null, Layers: e.Layers as string[] };
  });
}

/**
 * The image of a manifest.json entry, whose paths are already resolved to digests. The image's
 * own manifest is taken from index.json when one there matches (Docker 25+ archives), else a
 * manifest is written for it (classic archives carry none).
 */
export async function planFromDockerEntry(
  store: ContentStore,
  configDigest: string,
  layerDigests: string[],
  candidates: readonly Descriptor[],
  source: string,
): Promise<NewImage> {
  const ensure = requirePresent(store, source);
  for (const d of candidates) {
    try {
      const image = await planFromDescriptor(store, d, ensure, source);
      if (image.configDigest === configDigest && sameList(image.manifest.layers.map((l) => l.digest), layerDigests)) return image;
    } catch {
      /* not this one */
    }
  }
  await ensure({ digest: configDigest, size: 0 }, 'config');
  const configInfo = (await store.info(configDigest))!;
  const layers: Descriptor[] = [];
  for (const digest of layerDigests) {
    await ensure({ digest, size: 0 }, 'layer');
    const info = (await store.info(digest))!;
    layers.push({ mediaType: await layerMediaType(store, digest), digest, size: info.size });
  }
  const manifestBytes = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: configDigest, size: configInfo.size },
    layers,
  }));
  const manifestDigest = await store.put(manifestBytes);
  const manifest = parseManifest(manifestBytes, undefined, `${source}: manifest`) as ImageManifest;
  const config = await checkImage(store, manifest, ensure, source);
  return { configDigest, manifestDigest, manifest, config };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** OCI's layer media type for a stored layer, from its first bytes. */
async function layerMediaType(store: ContentStore, digest: string): Promise<string> {
  const file = await open(store.path(digest), 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return MediaType.ociLayerGzip;
    if (bytesRead >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return MediaType.ociLayerZstd;
    return MediaType.ociLayer;
  } finally {
    await file.close();
  }
}

/** A digest for a blob held in memory, checked against the name it was stored under when that is a digest. */
export function checkNamedDigest(bytes: Uint8Array, expectedHex: string | undefined, name: string): string {
  const digest = sha256Digest(bytes);
  if (expectedHex !== undefined && isDigest(`sha256:${expectedHex}`) && digest !== `sha256:${expectedHex}`) {
    throw new InvalidArgument(`image archive entry ${name}: digest mismatch: its name says sha256:${expectedHex}, its content is ${digest}`);
  }
  return digest;
}

/** Records the planned images (merging names of the same image) and says what was loaded. */
export async function recordImages(imageStore: ImageStore, planned: readonly PlannedImage[]): Promise<LoadResult> {
  if (planned.length === 0) throw new InvalidArgument('the archive holds no image');
  const byId = new Map<string, PlannedImage>();
  for (const p of planned) {
    const seen = byId.get(p.image.configDigest);
    if (seen) {
      for (const t of p.tags) if (!seen.tags.includes(t)) seen.tags.push(t);
    } else {
      byId.set(p.image.configDigest, { image: p.image, tags: [...new Set(p.tags)] });
    }
  }
  const result: LoadResult = { messages: [], images: [] };
  for (const { image, tags } of byId.values()) {
    const record = await imageStore.add(image);
    for (const tag of tags) {
      await imageStore.tag(record.id, tag);
      result.messages.push(`Loaded image: ${tag}`);
    }
    if (tags.length === 0) result.messages.push(`Loaded image ID: ${record.id}`);
    result.images.push({ id: record.id, tags });
  }
  return result;
}

export function notFoundInIndex(ref: string, source: string): NotFound {
  return new NotFound(`${source}: no image named "${ref}" in index.json`);
}
