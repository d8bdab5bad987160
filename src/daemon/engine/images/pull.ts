// POST /images/create?fromImage=: a pull as Docker streams it. The manifest is resolved first
// (so that "not found" and "access denied" are answered with a status, nothing streamed yet),
// then "Pulling from", a line per layer, download and extraction progress, the digest and the
// outcome. Layers are unpacked into the graph driver as part of the pull, as Docker does, so a
// container starts at once.
import { FailedPrecondition, InvalidArgument, NotFound } from '../../../errors.js';
import { sha256Digest, type Digest } from '../../../images/digest.js';
import { pullImage, type PullProgress } from '../../../images/distribution/pull.js';
import { RegistryClient } from '../../../images/distribution/registry-client.js';
import { parseImageConfig } from '../../../images/formats/image-config.js';
import { parseManifest, type ImageManifest } from '../../../images/formats/manifest.js';
import { hostPlatform, normalizePlatform, parsePlatform, selectManifest, type Platform } from '../../../images/formats/platform.js';
import { familiarName, familiarString, parseReference, withDefaultTag, type ImageReference } from '../../../images/reference.js';
import type { ImageService } from './image-service.js';
import { ThrottledProgress, progressMessage, shortDigest, statusMessage, type ProgressSink } from './progress.js';
import { credentialsOf, type AuthConfig } from './registry-auth.js';
import { imageChainIds } from './unpack.js';

export interface PullRequest {
  fromImage: string;
  /** A tag or a digest; the one in fromImage (or latest) when absent. */
  tag?: string | undefined;
  /** "os/arch[/variant]"; the host's when absent. */
  platform?: string | undefined;
  auth?: AuthConfig | undefined;
}

/** fromImage and tag as the daemon combines them (a tag that is a digest pulls by digest). */
export function pullReference(fromImage: string, tag: string | undefined): ImageReference {
  const ref = parseReference(fromImage);
  if (tag === undefined || tag === '') return withDefaultTag(ref);
  const named = { domain: ref.domain, path: ref.path };
  return /^[a-z0-9]+:[a-f0-9]{32,}$/.test(tag) ? parseReference(`${familiarName(named)}@${tag}`) : parseReference(`${familiarName(named)}:${tag}`);
}

interface ResolvedManifest {
  /** The digest the reference names (an index's, for a multi-platform image). */
  digest: string;
  manifest: ImageManifest;
}

async function resolveManifest(client: RegistryClient, ref: ImageReference, platform: Platform | undefined): Promise<ResolvedManifest> {
  const top = await client.getManifest(ref.path, ref.digest ?? ref.tag ?? 'latest');
  const digest = sha256Digest(top.bytes);
  if (ref.digest !== undefined && ref.digest !== digest) {
    throw new InvalidArgument(`manifest ${ref.path}@${ref.digest}: the registry sent content with digest ${digest}`);
  }
  const parsed = parseManifest(top.bytes, top.contentType, `manifest ${ref.path}@${digest}`);
  if (parsed.kind === 'manifest') return { digest, manifest: parsed };
  const chosen = selectManifest(parsed, platform ?? hostPlatform());
  const inner = await client.getManifest(ref.path, chosen.digest);
  const manifest = parseManifest(inner.bytes, inner.contentType, `manifest ${ref.path}@${chosen.digest}`);
  if (manifest.kind !== 'manifest') throw new InvalidArgument(`${chosen.digest}: an index inside an index is not supported`);
  return { digest, manifest };
}

/** The library's registry errors in the words `docker pull` uses (moby distribution/errors.go), all 404. */
export function translatePullError(err: unknown, ref: ImageReference): unknown {
  if (!(err instanceof Error)) return err;
  const notFound = /^manifest for \S+ not found: (.*)$/s.exec(err.message);
  if (err instanceof NotFound && notFound) {
    const detail = notFound[1]!;
    if (detail.startsWith('name unknown')) return new NotFound(`repository ${familiarName(ref)} not found: ${detail}`, { cause: err });
    return new NotFound(`manifest for ${familiarString(ref)} not found: ${detail}`, { cause: err });
  }
  const denied = /access denied \(status \d+\)(?:: (.*?))?; the repository may not exist/s.exec(err.message);
  if (err instanceof FailedPrecondition && denied) {
    const detail = denied[1] ?? 'denied: requested access to the resource is denied';
    return new NotFound(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${detail}`, { cause: err });
  }
  return err;
}

export async function pull(service: ImageService, request: PullRequest, sink: ProgressSink): Promise<void> {
  const ref = pullReference(request.fromImage, request.tag);
  const platform = request.platform ? normalizePlatform(parsePlatform(request.platform)) : undefined;
  const client = new RegistryClient({
    host: ref.domain,
    credentials: credentialsOf(request.auth),
    insecureRegistries: service.options.insecureRegistries,
  });
  const name = familiarString(ref);
  await service.withBlobs(async () => {
    try {
      await pullResolved(service, client, ref, platform, sink);
    } catch (err) {
      throw translatePullError(err, ref);
    }
  });
  service.events.publish('image', 'pull', name, { name });
}

async function pullResolved(service: ImageService, client: RegistryClient, ref: ImageReference, platform: Platform | undefined, sink: ProgressSink): Promise<void> {
  const resolved = await resolveManifest(client, ref, platform);
  const layers = resolved.manifest.layers;
  const ids = layers.map((l) => shortDigest(l.digest));
  sink(statusMessage(`Pulling from ${ref.path}`, ref.tag ?? ref.digest));

  // Layers the graph driver has are "Already exists" (known only if the config is here).
  const present = new Set<number>();
  const knownConfig = await service.content.has(resolved.manifest.config.digest)
    ? parseImageConfig(await service.content.read(resolved.manifest.config.digest))
    : undefined;
  if (knownConfig && knownConfig.rootfs.diff_ids.length === layers.length) {
    const chains = imageChainIds(knownConfig);
    for (const [i, chain] of chains.entries()) if (await service.driver.hasLayer(chain)) present.add(i);
  }
  const announced = new Set<string>();
  layers.forEach((_, i) => {
    if (announced.has(ids[i]!)) return;
    announced.add(ids[i]!);
    sink(present.has(i) ? progressMessage(ids[i]!, 'Already exists') : progressMessage(ids[i]!, 'Pulling fs layer'));
  });

  const downloaded = new Set<string>();
  const downloads = new Map<string, ThrottledProgress>();
  const onProgress = (p: PullProgress) => {
    if (p.kind !== 'layer') return;
    const id = shortDigest(p.digest);
    const index = layers.findIndex((l) => l.digest === p.digest);
    if (present.has(index)) return;
    if (p.status === 'downloading') {
      let bar = downloads.get(id);
      if (!bar) downloads.set(id, (bar = new ThrottledProgress(sink, id, 'Downloading')));
      bar.update(p.bytes, p.total);
    } else if (p.status === 'done' && !downloaded.has(id)) {
      downloaded.add(id);
      sink(progressMessage(id, 'Verifying Checksum'));
      sink(progressMessage(id, 'Download complete'));
    }
  };
  const pulled = await pullImage(client, { domain: ref.domain, path: ref.path, digest: resolved.digest as Digest }, service.content, {
    ...(platform !== undefined && { platform }),
    onProgress,
  });

  const extracting = new Map<string, ThrottledProgress>();
  const finished = new Set<string>();
  await service.unpack(pulled.manifest, pulled.config, (event) => {
    const id = ids[event.index]!;
    if (present.has(event.index) || finished.has(id)) return;
    if (event.state === 'extracting') {
      let bar = extracting.get(id);
      if (!bar) extracting.set(id, (bar = new ThrottledProgress(sink, id, 'Extracting')));
      bar.update(event.current, event.total);
      return;
    }
    finished.add(id);
    sink(progressMessage(id, event.state === 'exists' && !downloaded.has(id) ? 'Already exists' : 'Pull complete'));
  });

  const name = familiarString(ref);
  const before = service.store.find(name);
  await service.store.add(pulled, ref);
  sink(statusMessage(`Digest: ${pulled.digest}`));
  sink(statusMessage(before?.id === pulled.configDigest ? `Status: Image is up to date for ${name}` : `Status: Downloaded newer image for ${name}`));
}

