// `docker save`: images written as one tar stream. The 'docker' format is what Docker 25+ writes,
// an OCI image layout (oci-layout, index.json, blobs/sha256/…) that is also a docker-archive
// (manifest.json pointing at the blob paths, and `repositories`); the 'oci' format is the OCI
// layout alone. Blobs go out as stored: layers stay compressed (docker-archive readers accept
// that; skopeo decompresses them itself). Each blob is checked against the size the store has
// for it while it is written, so a blob changing underneath fails the save instead of writing
// a corrupt archive. The 'oci' format restates Docker manifests in OCI's media types (as Docker
// 25 does), since OCI tools skip Docker-typed entries; 'docker' keeps the stored manifest, byte
// for byte.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { InvalidArgument, NotFound } from '../../errors.js';
import type { ContentStore } from '../content-store.js';
import { DigestVerifier, parseDigest, sha256Digest } from '../digest.js';
import { parseManifest, type ImageManifest } from '../formats/manifest.js';
import { MediaType } from '../formats/media-types.js';
import type { ImageRecord, ImageStore } from '../image-store.js';
import { encodeTarHeader, tarEndBlocks, tarPadding } from '../layers/tar-headers.js';
import { canonicalString, familiarName, parseReference, type ImageReference } from '../reference.js';
import { containerdNameAnnotation, ociRefNameAnnotation } from './record.js';

export type ArchiveFormat = 'docker' | 'oci';

export interface SaveOptions {
  format: ArchiveFormat;
  /** End `output` when done (default true). */
  end?: boolean;
}

interface SavedImage {
  record: ImageRecord;
  manifest: ImageManifest;
  /** The manifest written: the stored one, or its OCI translation (format 'oci'). */
  manifestBytes: Buffer;
  manifestDigest: string;
  /** Familiar "name:tag" strings. */
  tags: string[];
}

const blobName = (digest: string): string => {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex}`;
};

/** The tags `docker save <name>` includes: the one named, all of a repository's, or none for an id. */
function tagsFor(name: string, record: ImageRecord): string[] {
  let ref: ImageReference;
  try {
    ref = parseReference(name);
  } catch {
    return []; // an image id
  }
  if (record.id === name || record.id.slice(record.id.indexOf(':') + 1).startsWith(name)) return [];
  if (ref.digest !== undefined) return [];
  const repository = familiarName(ref);
  const inRepository = (t: string) => familiarName(parseReference(t)) === repository;
  if (ref.tag !== undefined) return record.repoTags.filter((t) => inRepository(t) && parseReference(t).tag === ref.tag);
  // "busybox": the repository's tags this image carries.
  return record.repoTags.filter(inRepository);
}

export async function saveImages(
  store: ContentStore,
  imageStore: ImageStore,
  names: readonly string[],
  output: Writable,
  options: SaveOptions,
): Promise<void> {
  if (options.format !== 'docker' && options.format !== 'oci') throw new InvalidArgument(`unknown archive format "${String(options.format)}"`);
  if (names.length === 0) throw new InvalidArgument('docker save needs at least one image');
  const images = await collect(store, imageStore, names, options.format);

  const writer = new TarWriter(output);
  const written = new Set<string>();
  await writer.directory('blobs/');
  for (const algorithm of new Set(images.flatMap((i) => [i.manifestDigest, i.record.id, ...i.manifest.layers.map((l) => l.digest)]).map((d) => parseDigest(d).algorithm))) {
    await writer.directory(`blobs/${algorithm}/`);
  }
  for (const image of images) {
    for (const digest of [...image.manifest.layers.map((l) => l.digest), image.manifest.config.digest]) {
      if (written.has(digest)) continue;
      written.add(digest);
      await writer.blob(store, digest);
    }
    if (!written.has(image.manifestDigest)) {
      written.add(image.manifestDigest);
      await writer.file(blobName(image.manifestDigest), image.manifestBytes);
    }
  }

  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: images.flatMap((image) => {
      const descriptor = { mediaType: image.manifest.mediaType, digest: image.manifestDigest, size: image.manifestBytes.length };
      if (image.tags.length === 0) return [descriptor];
      return image.tags.map((tag) => {
        const ref = parseReference(tag);
        return { ...descriptor, annotations: { [containerdNameAnnotation]: canonicalString(ref), [ociRefNameAnnotation]: ref.tag ?? 'latest' } };
      });
    }),
  };
  await writer.file('index.json', Buffer.from(JSON.stringify(index)));
  if (options.format === 'docker') {
    const manifestJson = images.map((image) => ({
      Config: blobName(image.manifest.config.digest),
      RepoTags: image.tags,
      Layers: image.manifest.layers.map((l) => blobName(l.digest)),
    }));
    await writer.file('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
    const repositories: Record<string, Record<string, string>> = {};
    for (const image of images) {
      const top = image.manifest.layers.at(-1);
      if (top === undefined) continue;
      for (const tag of image.tags) {
        const ref = parseReference(tag);
        (repositories[familiarName(ref)] ??= {})[ref.tag ?? 'latest'] = parseDigest(top.digest).hex;
      }
    }
    if (Object.keys(repositories).length > 0) await writer.file('repositories', Buffer.from(JSON.stringify(repositories)));
  }
  await writer.file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  await writer.finish(options.end ?? true);
}

const ociLayerTypes: Record<string, string> = {
  [MediaType.dockerLayerGzip]: MediaType.ociLayerGzip,
  [MediaType.dockerForeignLayerGzip]: MediaType.ociLayerNondistributableGzip,
  'application/vnd.docker.image.rootfs.diff.tar': MediaType.ociLayer,
};

/**
 * A Docker manifest restated in OCI's media types (what Docker 25 and `skopeo copy --format oci`
 * do): same config and layers, so the same image id, but a manifest with a digest of its own.
 * OCI tools (skopeo's oci transport among them) skip index entries of Docker's types.
 */
function toOciManifest(bytes: Buffer): Buffer {
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown> & { config: { mediaType: string }; layers: { mediaType: string }[] };
  doc.mediaType = MediaType.ociManifest;
  if (doc.config.mediaType === MediaType.dockerConfig) doc.config.mediaType = MediaType.ociConfig;
  for (const layer of doc.layers) layer.mediaType = ociLayerTypes[layer.mediaType] ?? layer.mediaType;
  return Buffer.from(JSON.stringify(doc));
}

async function collect(store: ContentStore, imageStore: ImageStore, names: readonly string[], format: ArchiveFormat): Promise<SavedImage[]> {
  const byId = new Map<string, SavedImage>();
  for (const name of names) {
    const record = imageStore.resolve(name);
    const tags = tagsFor(name, record);
    const seen = byId.get(record.id);
    if (seen) {
      for (const t of tags) if (!seen.tags.includes(t)) seen.tags.push(t);
      continue;
    }
    let manifestBytes = await store.read(record.manifestDigest);
    let parsed = parseManifest(manifestBytes, undefined, `manifest ${record.manifestDigest}`);
    if (parsed.kind !== 'manifest') throw new InvalidArgument(`image ${record.id}: ${record.manifestDigest} is not an image manifest`);
    if (parsed.config.digest !== record.id) throw new InvalidArgument(`image ${record.id}: its manifest names config ${parsed.config.digest}`);
    for (const d of [parsed.config, ...parsed.layers]) {
      if (!(await store.has(d.digest))) throw new NotFound(`image ${name}: blob ${d.digest} is not in the content store`);
    }
    if (format === 'oci' && parsed.mediaType === MediaType.dockerManifest) {
      manifestBytes = toOciManifest(manifestBytes);
      parsed = parseManifest(manifestBytes, undefined, `manifest ${record.manifestDigest} in OCI form`) as ImageManifest;
    }
    byId.set(record.id, { record, manifest: parsed, manifestBytes, manifestDigest: sha256Digest(manifestBytes), tags });
  }
  return [...byId.values()];
}

/** A minimal ustar writer: names here are short and known (blobs/sha256/<hex>, index.json, …). */
class TarWriter {
  constructor(private readonly output: Writable) {}

  private async write(chunk: Buffer): Promise<void> {
    if (this.output.destroyed) throw new Error('the archive output was closed');
    if (!this.output.write(chunk)) {
      const stop = new AbortController();
      try {
        await Promise.race([
          once(this.output, 'drain', { signal: stop.signal }),
          once(this.output, 'close', { signal: stop.signal }).then(() => {
            throw new Error('the archive output was closed');
          }),
        ]);
      } finally {
        stop.abort();
      }
    }
  }

  private header(path: string, type: 'file' | 'directory', size: number): Buffer {
    // Owned by root, epoch times: the archive depends only on the images, not on the host.
    return encodeTarHeader({ path, type, size, mode: type === 'file' ? 0o644 : 0o755, uid: 0, gid: 0, mtime: 0 });
  }

  private async pad(size: number): Promise<void> {
    const padding = tarPadding(size);
    if (padding.length > 0) await this.write(padding);
  }

  async directory(path: string): Promise<void> {
    await this.write(this.header(path.replace(/\/$/, ''), 'directory', 0));
  }

  async file(path: string, bytes: Buffer): Promise<void> {
    await this.write(this.header(path, 'file', bytes.length));
    await this.write(bytes);
    await this.pad(bytes.length);
  }

  async blob(store: ContentStore, digest: string): Promise<void> {
    const info = await store.info(digest);
    if (!info) throw new NotFound(`blob ${digest} is not in the content store`);
    await this.write(this.header(blobName(digest), 'file', info.size));
    const verifier = new DigestVerifier(digest, info.size);
    for await (const chunk of await store.createReadStream(digest)) {
      verifier.update(chunk as Buffer);
      await this.write(chunk as Buffer);
    }
    verifier.verify();
    await this.pad(info.size);
  }

  async finish(end: boolean): Promise<void> {
    await this.write(tarEndBlocks());
    if (end) {
      const finished = once(this.output, 'finish');
      this.output.end();
      await finished;
    }
  }
}
