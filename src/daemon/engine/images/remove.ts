// DELETE /images/{name} and POST /images/prune. The image store applies Docker's removal
// rules; what an image leaves behind is cleaned here: its unpacked layers that no remaining
// image and no container needs (ImageService.removeUnusedLayers: a container made from an
// image removed with force keeps them until it is removed itself), listed as Docker lists them
// ("Deleted: <chain ID>" after the image), and blobs nothing references (content garbage
// collection, when no pull, push, load or import is under way).
import { InvalidArgument } from '../../../errors.js';
import type { DeleteResponseItem, ImageRecord } from '../../../images/image-store.js';
import type { ImageService } from './image-service.js';
import { imageChainIds } from './unpack.js';

export interface PruneReport {
  ImagesDeleted: DeleteResponseItem[] | null;
  SpaceReclaimed: number;
}

export async function removeImage(service: ImageService, nameOrId: string, options: { force: boolean; noprune: boolean }): Promise<DeleteResponseItem[]> {
  const image = service.store.resolve(nameOrId);
  const items = await service.store.remove(nameOrId, { force: options.force, inUse: service.containerUse });
  publishRemoval(service, image, items);
  if (!items.some((item) => 'Deleted' in item)) return items;
  return withRemovedLayers(items, await cleanUpAfter(service, [image]));
}

function publishRemoval(service: ImageService, image: ImageRecord, items: DeleteResponseItem[]): void {
  for (const item of items) {
    if ('Untagged' in item) service.events.publish('image', 'untag', image.id, { name: image.id });
    else service.events.publish('image', 'delete', image.id, { name: image.id });
  }
}

/**
 * Removes the layers nothing needs any more, then unreferenced blobs. Returns, per deleted
 * image, its own layers that went (top first), for Docker's "Deleted: <chain ID>" lines.
 */
async function cleanUpAfter(service: ImageService, deleted: readonly ImageRecord[]): Promise<Map<string, string[]>> {
  const chains = new Map<string, string[]>();
  for (const image of deleted) {
    const config = await service.rawConfig(image.id).catch(() => undefined);
    chains.set(image.id, config ? imageChainIds(config).reverse() : []);
  }
  const removed = new Set(await service.removeUnusedLayers());
  const reported = new Set<string>();
  const layers = new Map<string, string[]>();
  for (const [imageId, chain] of chains) {
    layers.set(imageId, chain.filter((id) => removed.has(id) && !reported.has(id) && reported.add(id)));
    // The config stays cached (and stored) while a container made from the image exists.
    if (!service.containerImageIds().includes(imageId)) service.forgetConfig(imageId);
  }
  await service.collectGarbage();
  return layers;
}

/** Docker's answer: each "Deleted: <image id>" followed by the image's layers that went with it. */
export function withRemovedLayers(items: readonly DeleteResponseItem[], layers: ReadonlyMap<string, readonly string[]>): DeleteResponseItem[] {
  return items.flatMap((item): DeleteResponseItem[] => 'Deleted' in item ? [item, ...(layers.get(item.Deleted) ?? []).map((chain) => ({ Deleted: chain }))] : [item]);
}

function truthy(value: string, key: string): boolean {
  if (['1', 'true', 'True', 'TRUE'].includes(value)) return true;
  if (['0', 'false', 'False', 'FALSE'].includes(value)) return false;
  throw new InvalidArgument(`invalid filter '${key}=${value}'`);
}

/** Docker's label filter: "key" or "key=value", every one must match. */
export function labelsMatch(labels: Record<string, string> | undefined, wanted: readonly string[], negate = false): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    const has = eq === -1 ? labels?.[w] !== undefined : labels?.[w.slice(0, eq)] === w.slice(eq + 1);
    return negate ? !has : has;
  });
}

/** Docker's `until` value: unix seconds, an RFC 3339 time, or a duration ago ("24h", "10m"). */
export function parseUntil(text: string): number {
  const duration = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(text);
  if (duration) {
    const scale = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 }[duration[2] as 'ns'];
    return Date.now() - Number(duration[1]) * scale;
  }
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) throw new InvalidArgument(`invalid filter 'until=${text}'`);
  return date;
}

export async function pruneImages(service: ImageService, filters: Map<string, string[]>): Promise<PruneReport> {
  for (const key of filters.keys()) {
    if (!['dangling', 'label', 'label!', 'until'].includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  }
  const danglingOnly = (filters.get('dangling') ?? ['true']).every((v) => truthy(v, 'dangling'));
  const until = filters.get('until')?.map(parseUntil);
  const candidates = service.store.list(danglingOnly ? { dangling: true } : {});
  const items: DeleteResponseItem[] = [];
  const deleted: ImageRecord[] = [];
  let reclaimed = 0;
  for (const image of candidates) {
    if (service.containerUse(image.id)) continue;
    if (until && !until.every((t) => Date.parse(image.created) < t)) continue;
    const labels = (await service.rawConfig(image.id).catch(() => undefined))?.config?.Labels;
    if (!labelsMatch(labels, filters.get('label') ?? [])) continue;
    if (!labelsMatch(labels, filters.get('label!') ?? [], true)) continue;
    const removed = await service.store.remove(image.id, { force: true, inUse: service.containerUse });
    publishRemoval(service, image, removed);
    items.push(...removed);
    if (removed.some((item) => 'Deleted' in item)) {
      deleted.push(image);
      reclaimed += image.size;
    }
  }
  if (deleted.length === 0) return { ImagesDeleted: items.length > 0 ? items : null, SpaceReclaimed: 0 };
  const layers = await cleanUpAfter(service, deleted);
  service.events.publish('daemon', 'prune', '', { reclaimed: String(reclaimed) });
  return { ImagesDeleted: withRemovedLayers(items, layers), SpaceReclaimed: reclaimed };
}
