// Layers for the graph driver tests: a tar built with the layer tests' writer, its diff ID (the
// hash of the plain tar) and its blob digest, plus stacking a list of them in a driver and a
// cleanup that unmounts before it deletes.
import { realpathSync, rmSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../../../../src/images/digest.js';
import { chainIds } from '../../../../src/images/formats/index.js';
import type { GraphDriver } from '../../../../src/images/graphdriver/index.js';
import { unmountAllUnder } from '../../../../src/system/mounts.js';
import { streamOf, tarArchive, type TarSpec } from '../layers/tar-writer.js';

export interface TestLayer {
  blob: Buffer;
  diffId: string;
  digest: string;
}

export function makeLayer(specs: TarSpec[], options: { gzip?: boolean } = {}): TestLayer {
  const tar = tarArchive(specs);
  const blob = options.gzip ? gzipSync(tar) : tar;
  return { blob, diffId: sha256Digest(tar), digest: sha256Digest(blob) };
}

/** Creates the layers bottom first; returns their chain IDs. */
export async function createLayers(driver: GraphDriver, layers: TestLayer[]): Promise<string[]> {
  const chain = chainIds(layers.map((l) => l.diffId));
  for (const [i, layer] of layers.entries()) {
    await driver.createLayer(chain[i]!, chain[i - 1], streamOf(layer.blob), layer.diffId, layer.digest);
  }
  return chain;
}

/** Unmounts whatever a test left mounted under `dir`, then deletes it. */
export async function removeTestDirectory(dir: string): Promise<void> {
  if (!dir || !existsSync(dir)) return;
  await unmountAllUnder(realpathSync(dir));
  rmSync(dir, { recursive: true, force: true });
}
