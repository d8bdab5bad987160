// The image layers a graph driver holds, found by reading its directory: what a layer sweep
// compares with the layers that images and containers need (daemon/engine/images/layer-references.ts).
// Drivers keep no reference counts (driver.ts), so this is the only inventory there is.
//
//   overlay: <home>/<chain hex>/ with `lower` naming the layers below (depth = their number)
//   vfs:     <home>/dir/<chain hex>/, each a complete copy (depth 0: no layer needs another)
//
// Containers' writable layers ("<id>-rw"), overlay's l/ links and scratch directories are not
// image layers and are never listed.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../errors.js';
import type { GraphDriver } from './driver.js';

export interface StoredLayer {
  chainId: string;
  /** How many layers lie below it: children are removed before their parents. */
  depth: number;
}

const layerName = /^[0-9a-f]{64}$/;

export async function storedLayers(driver: Pick<GraphDriver, 'name' | 'home'>): Promise<StoredLayer[]> {
  const dir = driver.name === 'overlay' ? driver.home : join(driver.home, 'dir');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => layerName.test(name));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
  return Promise.all(names.map(async (name) => ({
    chainId: `sha256:${name}`,
    depth: driver.name === 'overlay' ? await overlayDepth(join(dir, name)) : 0,
  })));
}

async function overlayDepth(layer: string): Promise<number> {
  try {
    const lower = (await readFile(join(layer, 'lower'), 'utf8')).trim();
    return lower === '' ? 0 : lower.split(':').length;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 0; // the bottom layer has no `lower`
    throw err;
  }
}
