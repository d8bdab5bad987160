// Image manifests and indexes in either format, parsed into one shape and checked field by
// field, so that the rest of berth never looks at raw registry JSON.
import { InvalidArgument, Unsupported } from '../../errors.js';
import { isDigest } from '../digest.js';
import { imageManifestMediaTypes, indexMediaTypes, MediaType } from './media-types.js';
import { parsePlatform, type Platform } from './platform.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

const schema1Types = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

/**
 * Parses a manifest or index. The media type comes from the document's own `mediaType` field,
 * else from the response's Content-Type, else from its shape (OCI makes the field optional).
 */
export function parseManifest(bytes: Uint8Array, contentType?: string, source = 'manifest'): ImageIndex | ImageManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new InvalidArgument(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  const doc = object(json, source);
  if (doc.schemaVersion !== 2) {
    if (doc.schemaVersion === 1 || schema1Types.has(String(doc.mediaType ?? contentType))) {
      throw new Unsupported(`${source} uses Docker's manifest schema 1, which was retired in 2019; push the image again with a current client`);
    }
    throw new InvalidArgument(`${source}: schemaVersion must be 2, not ${JSON.stringify(doc.schemaVersion)}`);
  }
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : mediaTypeFromContext(doc, contentType);
  if (indexMediaTypes.has(mediaType)) {
    return { kind: 'index', mediaType, manifests: array(doc.manifests, `${source}.manifests`).map((d, i) => descriptor(d, `${source}.manifests[${i}]`)) };
  }
  if (imageManifestMediaTypes.has(mediaType)) {
    const manifest: ImageManifest = {
      kind: 'manifest',
      mediaType,
      config: descriptor(doc.config, `${source}.config`),
      layers: array(doc.layers, `${source}.layers`).map((d, i) => descriptor(d, `${source}.layers[${i}]`)),
    };
    if (doc.annotations !== undefined) manifest.annotations = stringMap(doc.annotations, `${source}.annotations`);
    return manifest;
  }
  throw new Unsupported(`${source}: media type "${mediaType}" is not an image manifest or index berth knows`);
}

function mediaTypeFromContext(doc: Record<string, unknown>, contentType: string | undefined): string {
  const fromHeader = contentType?.split(';')[0]?.trim();
  if (fromHeader && (indexMediaTypes.has(fromHeader) || imageManifestMediaTypes.has(fromHeader))) return fromHeader;
  if (Array.isArray(doc.manifests)) return MediaType.ociIndex;
  if (doc.config !== undefined) return MediaType.ociManifest;
  return fromHeader ?? 'unknown';
}

export function descriptor(value: unknown, field: string): Descriptor {
  const d = object(value, field);
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw new InvalidArgument(`${field}.mediaType must be a non-empty string`);
  if (typeof d.digest !== 'string' || !isDigest(d.digest)) {
    throw new InvalidArgument(`${field}.digest ${JSON.stringify(d.digest)} is not a sha256 or sha512 digest`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new InvalidArgument(`${field}.size ${JSON.stringify(d.size)} must be a non-negative integer`);
  }
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.urls !== undefined) out.urls = array(d.urls, `${field}.urls`).map((u, i) => string(u, `${field}.urls[${i}]`));
  if (d.annotations !== undefined) out.annotations = stringMap(d.annotations, `${field}.annotations`);
  if (d.platform !== undefined) {
    const p = object(d.platform, `${field}.platform`);
    out.platform = parsePlatform(`${string(p.os, `${field}.platform.os`)}/${string(p.architecture, `${field}.platform.architecture`)}${typeof p.variant === 'string' && p.variant ? `/${p.variant}` : ''}`);
    if (typeof p['os.version'] === 'string') out.platform['os.version'] = p['os.version'];
  }
  return out;
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgument(`${field} must be a JSON object`);
  return value as Record<string, unknown>;
}

function array(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidArgument(`${field} must be an array`);
  return value;
}

function string(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidArgument(`${field} must be a string`);
  return value;
}

function stringMap(value: unknown, field: string): Record<string, string> {
  const map = object(value, field);
  for (const [k, v] of Object.entries(map)) if (typeof v !== 'string') throw new InvalidArgument(`${field}.${k} must be a string`);
  return map as Record<string, string>;
}
