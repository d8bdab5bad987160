// The image configuration (OCI image-spec config.md; Docker's is the same JSON): what a
// container of the image runs by default, and the diff IDs of its layers, which tie the
// uncompressed layer contents to the image.
import { createHash } from 'node:crypto';
import { InvalidArgument } from '../../errors.js';
import { isDigest } from '../digest.js';
import type { ImageManifest } from './manifest.js';

export interface ContainerDefaults {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: ContainerDefaults;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
}

export function parseImageConfig(bytes: Uint8Array, source = 'image config'): ImageConfig {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new InvalidArgument(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidArgument(`${source} must be a JSON object`);
  const c = json as Record<string, unknown>;
  for (const field of ['architecture', 'os'] as const) {
    if (typeof c[field] !== 'string' || c[field] === '') throw new InvalidArgument(`${source}: ${field} must be a non-empty string`);
  }
  const rootfs = c.rootfs as Record<string, unknown> | undefined;
  if (typeof rootfs !== 'object' || rootfs === null || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) {
    throw new InvalidArgument(`${source}: rootfs must be {"type": "layers", "diff_ids": [...]}`);
  }
  rootfs.diff_ids.forEach((id, i) => {
    // Diff IDs are sha256 by definition (image-spec config.md).
    if (typeof id !== 'string' || !id.startsWith('sha256:') || !isDigest(id)) {
      throw new InvalidArgument(`${source}: rootfs.diff_ids[${i}] ${JSON.stringify(id)} is not a sha256 digest`);
    }
  });
  if (c.config !== undefined && c.config !== null && (typeof c.config !== 'object' || Array.isArray(c.config))) {
    throw new InvalidArgument(`${source}: config must be an object`);
  }
  if (c.history !== undefined && !Array.isArray(c.history)) throw new InvalidArgument(`${source}: history must be an array`);
  return c as unknown as ImageConfig;
}

/** A manifest and its config must describe the same layers, one diff ID per layer. */
export function checkLayersMatch(manifest: ImageManifest, config: ImageConfig, source = 'image'): void {
  const layers = manifest.layers.length;
  const diffIds = config.rootfs.diff_ids.length;
  if (layers !== diffIds) {
    throw new InvalidArgument(`${source}: the manifest has ${layers} layers but the config lists ${diffIds} diff IDs`);
  }
}

/**
 * Chain IDs name a layer together with everything below it (image-spec config.md): the first
 * is the first diff ID; each next is sha256 of "<previous chain ID> <diff ID>". Graph drivers
 * store unpacked layers by chain ID, so images sharing a base share its layers.
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const chain: string[] = [];
  for (const diffId of diffIds) {
    const previous = chain[chain.length - 1];
    chain.push(previous === undefined ? diffId : `sha256:${createHash('sha256').update(`${previous} ${diffId}`).digest('hex')}`);
  }
  return chain;
}
