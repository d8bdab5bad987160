// POST /images/{name}/push: a push as Docker streams it — "The push refers to repository",
// per layer (by diff ID, as Docker names them) "Preparing", "Pushing" with progress, "Pushed"
// or "Layer already exists", then "<tag>: digest: sha256:… size: N" and the aux result. Each
// tag of the repository is pushed when no tag is given. The pushed digest becomes one of the
// image's repository digests.
import { NotFound } from '../../../errors.js';
import type { Digest } from '../../../images/digest.js';
import { pushImage, type PushProgress } from '../../../images/distribution/push.js';
import { RegistryClient } from '../../../images/distribution/registry-client.js';
import { parseImageConfig } from '../../../images/formats/image-config.js';
import type { ImageRecord } from '../../../images/image-store.js';
import { familiarName, familiarString, parseReference, repositoryName, type ImageReference } from '../../../images/reference.js';
import type { ImageService } from './image-service.js';
import { ThrottledProgress, progressMessage, shortDigest, statusMessage, type ProgressSink } from './progress.js';
import { credentialsOf, type AuthConfig } from './registry-auth.js';

export interface PushRequest {
  name: string;
  tag?: string | undefined;
  auth?: AuthConfig | undefined;
}

/** The tagged references a push covers: the one asked for, or every tag of the repository. */
function referencesToPush(service: ImageService, name: string, tag: string | undefined): ImageReference[] {
  const ref = parseReference(name);
  const repository = { domain: ref.domain, path: ref.path };
  if (tag) return [parseReference(`${familiarName(repository)}:${tag}`)];
  if (ref.tag !== undefined || ref.digest !== undefined) return [ref];
  const tags = service.store.list()
    .flatMap((image) => image.repoTags)
    .map((t) => parseReference(t))
    .filter((t) => t.domain === ref.domain && t.path === ref.path);
  if (tags.length === 0) throw new NotFound(`An image does not exist locally with the tag: ${familiarName(repository)}`);
  return tags;
}

export async function push(service: ImageService, request: PushRequest, sink: ProgressSink): Promise<void> {
  const refs = referencesToPush(service, request.name, request.tag);
  const records = refs.map((ref) => {
    const record = service.store.find(familiarString(ref));
    if (!record) throw new NotFound(`An image does not exist locally with the tag: ${familiarString(ref)}`);
    return record;
  });
  const client = new RegistryClient({
    host: refs[0]!.domain,
    credentials: credentialsOf(request.auth),
    insecureRegistries: service.options.insecureRegistries,
  });
  await service.withBlobs(async () => {
    sink(statusMessage(`The push refers to repository [${repositoryName(refs[0]!)}]`));
    for (const [i, ref] of refs.entries()) await pushOne(service, client, ref, records[i]!, sink);
  });
}

/** Another repository of the same registry the image came from, to mount blobs from. */
function mountSource(record: ImageRecord, ref: ImageReference): string | undefined {
  for (const name of [...record.repoDigests, ...record.repoTags]) {
    const other = parseReference(name);
    if (other.domain === ref.domain && other.path !== ref.path) return other.path;
  }
  return undefined;
}

async function pushOne(service: ImageService, client: RegistryClient, ref: ImageReference, record: ImageRecord, sink: ProgressSink): Promise<void> {
  const manifest = await service.manifestOf(record);
  const config = parseImageConfig(await service.content.read(record.id), `config ${record.id}`);
  // Docker names pushed layers by their diff IDs, top layer first.
  const idOfBlob = new Map<string, string>();
  manifest.layers.forEach((layer, i) => {
    if (!idOfBlob.has(layer.digest)) idOfBlob.set(layer.digest, shortDigest(config.rootfs.diff_ids[i] ?? layer.digest));
  });
  for (const id of [...new Set(idOfBlob.values())].reverse()) sink(progressMessage(id, 'Preparing'));

  const mountFrom = mountSource(record, ref);
  const bars = new Map<string, ThrottledProgress>();
  const onProgress = (p: PushProgress) => {
    const id = idOfBlob.get(p.digest);
    if (p.kind !== 'layer' || id === undefined) return;
    switch (p.status) {
      case 'exists': sink(progressMessage(id, 'Layer already exists')); break;
      case 'mounted': sink(progressMessage(id, `Mounted from ${mountFrom ?? ''}`)); break;
      case 'done': sink(progressMessage(id, 'Pushed')); break;
      case 'uploading': {
        let bar = bars.get(id);
        if (!bar) bars.set(id, (bar = new ThrottledProgress(sink, id, 'Pushing')));
        bar.update(p.bytes, p.total);
        break;
      }
    }
  };
  const pushed = await pushImage(client, ref, service.content, {
    manifestDigest: record.manifestDigest,
    ...(mountFrom !== undefined && { mountFrom }),
    onProgress,
  });
  const tag = ref.tag ?? 'latest';
  sink(statusMessage(`${tag}: digest: ${pushed.digest} size: ${pushed.size}`));
  sink({ progress: '', aux: { Tag: tag, Digest: pushed.digest, Size: pushed.size } });

  await service.store.add(
    { configDigest: record.id, manifestDigest: record.manifestDigest, manifest, config, ...(record.indexDigest !== undefined && { digest: record.indexDigest }) },
    { ...ref, digest: pushed.digest as Digest },
  );
  const name = familiarString(ref);
  service.events.publish('image', 'push', name, { name });
}
