// berth's images: which images exist (an image's id is its config's digest), the names they
// carry, and Docker's rules for naming, finding and removing them. The blobs themselves are in
// the content store; this is the record of what they make up. It lives in <root>/images.json,
// rewritten atomically and durably on every change, and is held in memory between changes.
// One process (berthd) owns it: changes made here are serialised, other writers are not seen.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Conflict, Internal, InvalidArgument, NotFound, errnoCode } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { isDigest } from './digest.js';
import type { ImageConfig } from './formats/image-config.js';
import type { ImageManifest } from './formats/manifest.js';
import type { Platform } from './formats/platform.js';
import { familiarName, familiarString, parseReference, withDefaultTag, type ImageReference } from './reference.js';

export interface ImageRecord {
  /** The config's digest, as Docker identifies images. */
  id: string;
  /** The platform's own manifest. */
  manifestDigest: string;
  /** The index the manifest was chosen from, for a multi-platform image. */
  indexDigest?: string;
  /** Familiar name and tag: "busybox:latest", "localhost:5000/app:1.0". */
  repoTags: string[];
  /** Familiar name and the digest the image was pulled by: "busybox@sha256:…". */
  repoDigests: string[];
  /** ISO 8601, from the config (or the time the image was added, if it has none). */
  created: string;
  /** Bytes of the layers as stored (compressed). */
  size: number;
  platform: Platform;
  /** The layer blobs, so that referencedBlobs() needs no manifest reads. */
  layers: string[];
}

/** What a pull produced (PulledImage fits). */
export interface NewImage {
  configDigest: string;
  manifestDigest: string;
  /** The digest the reference resolved to: an index's, or the manifest's own. */
  digest?: string;
  manifest: ImageManifest;
  config: ImageConfig;
}

/** A container using an image, as the container store reports it. */
export interface ContainerUse {
  containerId: string;
  running: boolean;
}

export interface RemoveOptions {
  force?: boolean;
  /** A container using the image, if any (running ones first). */
  inUse?: (imageId: string) => ContainerUse | undefined;
}

/** One line of `docker rmi`'s answer. */
export type DeleteResponseItem = { Untagged: string } | { Deleted: string };

export interface ListFilter {
  /** true: only images without tags; false: only images with a tag or digest (Docker's dangling=). */
  dangling?: boolean;
  /** Globs on familiar names ("busybox", "busy*:1.*"), as Docker's reference= filter. */
  reference?: string | string[];
}

interface StoreFile {
  version: 1;
  images: ImageRecord[];
}

/** Docker accepts id prefixes of at least this many hex digits. */
export const minIdPrefixLength = 4;

/** "sha256:0123456789ab…" → "0123456789ab", Docker's short form. */
export function shortId(id: string): string {
  return id.slice(id.indexOf(':') + 1).slice(0, 12);
}

function noSuchImage(text: string, detail = ''): NotFound {
  return new NotFound(`No such image: ${text}${detail}`);
}

/** Docker's isImageIDPrefix: does the text name the image by its id rather than by a name? */
function isIdPrefix(id: string, text: string): boolean {
  return id.startsWith(text) || id.slice(id.indexOf(':') + 1).startsWith(text);
}

/** The repository of a stored name: "busybox:latest" and "busybox@sha256:…" → "busybox". */
function repositoryOf(stored: string): string {
  return familiarName(parseReference(stored));
}

/** Docker's isSingleReference: at most one tag, and every reference in that one repository. */
function isSingleReference(image: ImageRecord): boolean {
  const references = image.repoTags.length + image.repoDigests.length;
  if (references <= 1) return references === 1;
  if (image.repoTags.length > 1) return false;
  const repository = repositoryOf(image.repoTags[0] ?? image.repoDigests[0]!);
  return image.repoDigests.every((d) => repositoryOf(d) === repository);
}

/** A path.Match-style glob ("*" and "?" stay within one "/" component, "[…]" classes). */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) throw new InvalidArgument(`invalid reference filter "${glob}": unclosed "["`);
      const body = glob.slice(i + 1, end).replace(/^\^/, '!');
      source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) source += `\\${glob[++i]}`;
    else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Docker's FamiliarMatch: the glob against "name:tag" (or "name@digest"), then the name alone. */
function matchesReference(patterns: readonly RegExp[], stored: string): boolean {
  return patterns.some((p) => p.test(stored) || p.test(repositoryOf(stored)));
}

export class ImageStore {
  private images = new Map<string, ImageRecord>();
  /** Changes run one after another, each on a copy that replaces the state once written. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly root: string) {}

  static async open(root: string): Promise<ImageStore> {
    const store = new ImageStore(root);
    await store.load();
    return store;
  }

  get file(): string {
    return join(this.root, 'images.json');
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    let parsed: StoreFile;
    try {
      parsed = JSON.parse(text) as StoreFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.images)) throw new Error('expected {"version": 1, "images": [...]}');
    } catch (err) {
      throw new Internal(`${this.file} is not a valid image list: ${(err as Error).message}`, { cause: err });
    }
    this.images = new Map(parsed.images.map((image) => [image.id, image]));
  }

  /** Applies `change` to a copy of the records, writes it, and only then makes it current. */
  private mutate<T>(change: (images: Map<string, ImageRecord>) => T): Promise<T> {
    const run = async () => {
      const draft = new Map([...this.images].map(([id, image]) => [id, structuredClone(image)]));
      const result = change(draft);
      const file: StoreFile = { version: 1, images: [...draft.values()] };
      await mkdir(this.root, { recursive: true });
      await writeFileAtomic(this.file, `${JSON.stringify(file, null, 2)}\n`, { durable: true, mode: 0o600 });
      this.images = draft;
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * Records a pulled image, named by `ref`: its tag (latest when it has neither tag nor digest)
   * and its repository digest. A tag another image had moves here; that image keeps its other
   * names, or is left dangling. Adding an image that exists merges the names.
   */
  async add(image: NewImage, ref?: ImageReference | string): Promise<ImageRecord> {
    if (!isDigest(image.configDigest)) throw new InvalidArgument(`invalid image id "${image.configDigest}"`);
    const named = typeof ref === 'string' ? parseReference(ref) : ref;
    return this.mutate((images) => {
      const existing = images.get(image.configDigest);
      const record: ImageRecord = {
        id: image.configDigest,
        manifestDigest: image.manifestDigest,
        repoTags: existing?.repoTags ?? [],
        repoDigests: existing?.repoDigests ?? [],
        created: image.config.created ?? existing?.created ?? new Date().toISOString(),
        size: image.manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
        platform: platformOf(image.config),
        layers: image.manifest.layers.map((layer) => layer.digest),
      };
      if (image.digest !== undefined && image.digest !== image.manifestDigest) record.indexDigest = image.digest;
      images.set(record.id, record);
      if (named) {
        // A reference by digest alone gives no tag, as with `docker pull name@sha256:…`.
        if (named.tag !== undefined || named.digest === undefined) {
          const tagged = withDefaultTag({ domain: named.domain, path: named.path, ...(named.tag !== undefined && { tag: named.tag }) });
          attachName(images, record, familiarString(tagged), 'repoTags');
        }
        attachName(images, record, `${familiarName(named)}@${named.digest ?? image.digest ?? image.manifestDigest}`, 'repoDigests');
      }
      return structuredClone(record);
    });
  }

  /** `docker tag source target`: the target (latest by default) moves to the source image. */
  async tag(source: string, target: ImageReference | string): Promise<void> {
    const ref = typeof target === 'string' ? parseReference(target) : target;
    if (ref.digest !== undefined) throw new InvalidArgument('refusing to create a tag with a digest reference');
    return this.mutate((images) => {
      const image = this.lookup(images, source).image;
      attachName(images, image, familiarString(withDefaultTag(ref)), 'repoTags');
    });
  }

  /** The image a name, id, id prefix or repository digest designates; NotFound "No such image: x". */
  resolve(nameOrId: string): ImageRecord {
    return structuredClone(this.lookup(this.images, nameOrId).image);
  }

  /** Like resolve, but undefined for an unknown image. */
  find(nameOrId: string): ImageRecord | undefined {
    try {
      return this.resolve(nameOrId);
    } catch (err) {
      if (err instanceof NotFound) return undefined;
      throw err;
    }
  }

  /** Images newest first, as `docker images` lists them; a reference filter keeps only the names it matches. */
  list(filter: ListFilter = {}): ImageRecord[] {
    const globs = filter.reference === undefined ? undefined : [filter.reference].flat().map(globToRegExp);
    const out: ImageRecord[] = [];
    for (const stored of this.images.values()) {
      const image = structuredClone(stored);
      if (globs) {
        image.repoTags = image.repoTags.filter((t) => matchesReference(globs, t));
        image.repoDigests = image.repoDigests.filter((d) => matchesReference(globs, d));
        if (image.repoTags.length === 0 && image.repoDigests.length === 0) continue;
      }
      if (filter.dangling === true && image.repoTags.length > 0) continue;
      if (filter.dangling === false && image.repoTags.length === 0 && image.repoDigests.length === 0) continue;
      out.push(image);
    }
    return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : a.id < b.id ? -1 : 1));
  }

  /**
   * `docker rmi`, with its rules (moby daemon/images/image_delete.go): by name, the name goes
   * and the image only with its last name; by id, the image goes with its names, which needs
   * force when they span repositories or tags; a container using the image stops both.
   * Returns Docker's list of what was untagged and deleted; layers are the caller's to add.
   */
  remove(nameOrId: string, options: RemoveOptions = {}): Promise<DeleteResponseItem[]> {
    return this.mutate((images) => {
      const { image, matchedName } = this.lookup(images, nameOrId);
      const force = options.force === true;
      const container = options.inUse?.(image.id);
      const records: DeleteResponseItem[] = [];

      if (matchedName !== undefined && !isIdPrefix(image.id, nameOrId)) {
        // Only a name whose removal would leave the image without names (Docker's
        // isSingleReference) is refused: the others just go.
        if (container && !force && isSingleReference(image)) {
          throw new Conflict(`conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${shortId(container.containerId)} is using its referenced image ${shortId(image.id)}`);
        }
        records.push(...untagByName(image, matchedName));
        if (image.repoTags.length > 0 || image.repoDigests.length > 0) return records;
        // The last name is gone. A container still holding the image keeps it, dangling,
        // as Docker does (a stopped one only without force).
        if (container && (container.running || !force)) return records;
      } else {
        if (container?.running) throw deleteConflict(image, true, `image is being used by running container ${shortId(container.containerId)}`);
        const hasNames = image.repoTags.length > 0 || image.repoDigests.length > 0;
        if (hasNames && !isSingleReference(image) && !force) throw deleteConflict(image, false, 'image is referenced in multiple repositories');
        if (container && !force) throw deleteConflict(image, false, `image is being used by stopped container ${shortId(container.containerId)}`);
        for (const name of [...image.repoTags, ...image.repoDigests]) records.push({ Untagged: name });
        image.repoTags = [];
        image.repoDigests = [];
      }
      images.delete(image.id);
      records.push({ Deleted: image.id });
      return records;
    });
  }

  /** Every blob an image needs (manifests, index, config, layers), for ContentStore.garbageCollect. */
  referencedBlobs(): Set<string> {
    const blobs = new Set<string>();
    for (const image of this.images.values()) {
      blobs.add(image.id);
      blobs.add(image.manifestDigest);
      if (image.indexDigest !== undefined) blobs.add(image.indexDigest);
      for (const layer of image.layers) blobs.add(layer);
      // The index a repository digest names stays too, so that `name@digest` can be pushed again.
      for (const name of image.repoDigests) blobs.add(name.slice(name.indexOf('@') + 1));
    }
    return blobs;
  }

  /** Finds the image; `matchedName` is the stored tag or digest name when found by name. */
  private lookup(images: Map<string, ImageRecord>, text: string): { image: ImageRecord; matchedName?: string } {
    const fullId = /^sha256:[a-f0-9]{64}$/.test(text) ? text : /^[a-f0-9]{64}$/.test(text) ? `sha256:${text}` : undefined;
    if (fullId !== undefined) {
      const image = images.get(fullId);
      if (!image) throw noSuchImage(text);
      return { image };
    }
    const byName = findByName(images, text);
    if (byName) return byName;
    const prefix = new RegExp(`^(?:sha256:)?([a-f0-9]{${minIdPrefixLength},63})$`).exec(text)?.[1];
    if (prefix !== undefined) {
      const matches = [...images.values()].filter((image) => image.id.slice(image.id.indexOf(':') + 1).startsWith(prefix));
      if (matches.length === 1) return { image: matches[0]! };
      if (matches.length > 1) throw noSuchImage(text, ` (the id prefix is ambiguous: it matches ${matches.length} images)`);
    }
    throw noSuchImage(text);
  }
}

function findByName(images: Map<string, ImageRecord>, text: string): { image: ImageRecord; matchedName: string } | undefined {
  let ref: ImageReference;
  try {
    ref = parseReference(text);
  } catch (err) {
    if (err instanceof InvalidArgument) return undefined; // not a name; perhaps an id prefix
    throw err;
  }
  const [name, field] = ref.digest !== undefined
    ? [`${familiarName(ref)}@${ref.digest}`, 'repoDigests' as const]
    : [familiarString(withDefaultTag(ref)), 'repoTags' as const];
  for (const image of images.values()) if (image[field].includes(name)) return { image, matchedName: name };
  return undefined;
}

/** Gives `name` to `image`, taking it from any other image that had it (a name designates one image). */
function attachName(images: Map<string, ImageRecord>, image: ImageRecord, name: string, field: 'repoTags' | 'repoDigests'): void {
  for (const other of images.values()) {
    if (other !== image) other[field] = other[field].filter((n) => n !== name);
  }
  if (!image[field].includes(name)) image[field].push(name);
}

/**
 * Removes one name. Removing a repository's last tag also removes that repository's digest
 * names, which would otherwise keep the image listed under a name the user just removed.
 */
function untagByName(image: ImageRecord, name: string): DeleteResponseItem[] {
  const records: DeleteResponseItem[] = [{ Untagged: name }];
  const isDigestName = name.includes('@');
  if (isDigestName) {
    image.repoDigests = image.repoDigests.filter((d) => d !== name);
    return records;
  }
  image.repoTags = image.repoTags.filter((t) => t !== name);
  const repository = repositoryOf(name);
  if (image.repoTags.some((t) => repositoryOf(t) === repository)) return records;
  for (const digestName of image.repoDigests.filter((d) => repositoryOf(d) === repository)) records.push({ Untagged: digestName });
  image.repoDigests = image.repoDigests.filter((d) => repositoryOf(d) !== repository);
  return records;
}

function deleteConflict(image: ImageRecord, hard: boolean, why: string): Conflict {
  return new Conflict(`conflict: unable to delete ${shortId(image.id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${why}`);
}

function platformOf(config: ImageConfig): Platform {
  const platform: Platform = { os: config.os, architecture: config.architecture };
  if (config.variant !== undefined) platform.variant = config.variant;
  return platform;
}
