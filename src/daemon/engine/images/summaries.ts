// The shapes of GET /images/json (ImageSummary), GET /images/{name}/json (ImageInspect) and
// GET /images/{name}/history, as API v1.43 has them, and the list filters (dangling,
// reference, label, before, since, until).
//
// Sizes are the layers' sizes as stored (compressed): berth does not record unpacked sizes yet.
import { dirname, join } from 'node:path';
import { InvalidArgument } from '../../../errors.js';
import type { ImageRecord } from '../../../images/image-store.js';
import { parseReference } from '../../../images/reference.js';
import type { ImageService, RawImageConfig } from './image-service.js';
import { labelsMatch, parseUntil } from './remove.js';
import { imageChainIds } from './unpack.js';

export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize: number;
  Labels: Record<string, string> | null;
  Containers: number;
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Container: string;
  ContainerConfig?: unknown;
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown>;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  VirtualSize: number;
  GraphDriver: { Name: string; Data: Record<string, string> | null };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface ImageListOptions {
  all: boolean;
  filters: Map<string, string[]>;
}

const listFilters = ['dangling', 'reference', 'label', 'before', 'since', 'until'];

function unixSeconds(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

export async function listImages(service: ImageService, options: ImageListOptions): Promise<ImageSummary[]> {
  const { filters } = options;
  for (const key of filters.keys()) if (!listFilters.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  let dangling: boolean | undefined;
  for (const value of filters.get('dangling') ?? []) {
    if (['true', '1'].includes(value.toLowerCase())) dangling = true;
    else if (['false', '0'].includes(value.toLowerCase())) dangling = false;
    else throw new InvalidArgument(`invalid filter 'dangling=${value}'`);
  }
  const references = filters.get('reference') ?? [];
  const before = (filters.get('before') ?? []).map((name) => service.store.resolve(name).created);
  const since = (filters.get('since') ?? []).map((name) => service.store.resolve(name).created);
  const until = (filters.get('until') ?? []).map(parseUntil);
  const records = service.store.list({
    ...(dangling !== undefined && { dangling }),
    ...(references.length > 0 && { reference: references }),
  });
  const out: ImageSummary[] = [];
  for (const record of records) {
    if (before.some((t) => record.created >= t) || since.some((t) => record.created <= t)) continue;
    if (until.some((t) => Date.parse(record.created) >= t)) continue;
    const config = await service.rawConfig(record.id).catch(() => undefined);
    const labels = config?.config?.Labels ?? null;
    if (!labelsMatch(labels ?? undefined, filters.get('label') ?? [])) continue;
    out.push(summaryOf(record, labels));
  }
  return out;
}

function summaryOf(record: ImageRecord, labels: Record<string, string> | null): ImageSummary {
  const untagged = record.repoTags.length === 0 && record.repoDigests.length === 0;
  return {
    Id: record.id,
    ParentId: '',
    RepoTags: untagged ? ['<none>:<none>'] : record.repoTags,
    RepoDigests: untagged ? ['<none>@<none>'] : record.repoDigests,
    Created: unixSeconds(record.created),
    Size: record.size,
    SharedSize: -1,
    VirtualSize: record.size,
    Labels: labels,
    Containers: -1,
  };
}

/** container.Config as Docker shows it in an image's inspect: every field present. */
function containerConfig(config: RawImageConfig): Record<string, unknown> {
  return {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
    ...(config.config ?? {}),
  };
}

async function graphDriverData(service: ImageService, config: RawImageConfig): Promise<Record<string, string> | null> {
  const chains = imageChainIds(config);
  const top = chains[chains.length - 1];
  if (top === undefined || service.driver.name !== 'overlay') return null;
  const paths = await service.driver.diffPaths(top).catch(() => undefined);
  if (!paths) return null;
  const dir = dirname(paths[0]!);
  return {
    ...(paths.length > 1 && { LowerDir: paths.slice(1).join(':') }),
    MergedDir: join(dir, 'merged'),
    UpperDir: paths[0]!,
    WorkDir: join(dir, 'work'),
  };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export async function inspectImage(service: ImageService, nameOrId: string): Promise<ImageInspect> {
  const record = service.store.resolve(nameOrId);
  const config = await service.rawConfig(record.id);
  return {
    Id: record.id,
    RepoTags: record.repoTags,
    RepoDigests: record.repoDigests,
    Parent: '',
    Comment: text(config.comment),
    Created: config.created ?? record.created,
    Container: text(config.container),
    ...(config.container_config !== undefined && { ContainerConfig: config.container_config }),
    DockerVersion: text(config.docker_version),
    Author: text(config.author),
    Config: containerConfig(config),
    Architecture: config.architecture,
    ...(config.variant !== undefined && { Variant: config.variant }),
    Os: config.os,
    ...(typeof config['os.version'] === 'string' && { OsVersion: config['os.version'] }),
    Size: record.size,
    VirtualSize: record.size,
    GraphDriver: { Name: service.driver.name, Data: await graphDriverData(service, config) },
    RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

/** Newest first; the newest entry carries the image's id and tags, older ones "<missing>" (no parent images here). */
export async function historyOf(service: ImageService, nameOrId: string): Promise<HistoryItem[]> {
  const record = service.store.resolve(nameOrId);
  const config = await service.rawConfig(record.id);
  const manifest = await service.manifestOf(record);
  const items: HistoryItem[] = [];
  let layer = 0;
  for (const entry of config.history ?? []) {
    let size = 0;
    if (!entry.empty_layer) {
      if (layer >= manifest.layers.length) throw new InvalidArgument(`image ${record.id}: too many non-empty layers in its history`);
      size = manifest.layers[layer++]!.size;
    }
    items.unshift({ Id: '<missing>', Created: unixSeconds(entry.created ?? ''), CreatedBy: entry.created_by ?? '', Tags: null, Size: size, Comment: entry.comment ?? '' });
  }
  if (items.length > 0) {
    const tags = record.repoTags.filter((t) => parseReference(t).tag !== undefined);
    items[0] = { ...items[0]!, Id: record.id, Tags: tags.length > 0 ? tags : null };
  }
  return items;
}
