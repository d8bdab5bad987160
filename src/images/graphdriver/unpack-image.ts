// From pulled blobs to unpacked layers: each layer of an image that the driver does not have
// yet, bottom first, so that every layer's parent exists when it is created. Layers shared with
// images unpacked before (same chain ID) are reused, not unpacked again.
import type { ContentStore } from '../content-store.js';
import { chainIds, checkLayersMatch, type ImageConfig, type ImageManifest } from '../formats/index.js';
import type { GraphDriver } from './driver.js';

/** Returns the image's top chain ID (undefined for an image without layers). */
export async function unpackImage(
  driver: GraphDriver,
  store: ContentStore,
  manifest: ImageManifest,
  config: ImageConfig,
): Promise<string | undefined> {
  checkLayersMatch(manifest, config);
  const diffIds = config.rootfs.diff_ids;
  const chain = chainIds(diffIds);
  for (const [i, chainId] of chain.entries()) {
    if (await driver.hasLayer(chainId)) continue;
    const layer = manifest.layers[i]!;
    const blob = await store.createReadStream(layer.digest);
    await driver.createLayer(chainId, chain[i - 1], blob, diffIds[i]!, layer.digest);
  }
  return chain[chain.length - 1];
}
