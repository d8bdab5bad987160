// Unpacking an image's layers into the graph driver, bottom first, with per-layer progress
// (what `docker pull` shows as "Extracting" and "Pull complete"). Layers the driver has (same
// chain ID) are reused.
import { Transform } from 'node:stream';
import type { ContentStore } from '../../../images/content-store.js';
import { chainIds, checkLayersMatch, type ImageConfig, type ImageManifest } from '../../../images/formats/index.js';
import type { GraphDriver } from '../../../images/graphdriver/index.js';

export type LayerUnpackEvent =
  | { index: number; state: 'exists' }
  | { index: number; state: 'extracting'; current: number; total: number }
  | { index: number; state: 'done' };

/** Returns the image's top chain ID (undefined for an image without layers). */
export async function unpackLayers(
  driver: GraphDriver,
  content: ContentStore,
  manifest: ImageManifest,
  config: ImageConfig,
  onLayer?: (event: LayerUnpackEvent) => void,
): Promise<string | undefined> {
  checkLayersMatch(manifest, config);
  const diffIds = config.rootfs.diff_ids;
  const chain = chainIds(diffIds);
  for (const [index, chainId] of chain.entries()) {
    if (await driver.hasLayer(chainId)) {
      onLayer?.({ index, state: 'exists' });
      continue;
    }
    const layer = manifest.layers[index]!;
    const blob = await content.createReadStream(layer.digest);
    let current = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        current += chunk.length;
        onLayer?.({ index, state: 'extracting', current, total: layer.size });
        done(null, chunk);
      },
    });
    blob.once('error', (err) => counter.destroy(err));
    await driver.createLayer(chainId, chain[index - 1], blob.pipe(counter), diffIds[index]!, layer.digest);
    onLayer?.({ index, state: 'done' });
  }
  return chain[chain.length - 1];
}

/** The chain IDs an image's layers are stored under in the graph driver. */
export function imageChainIds(config: ImageConfig): string[] {
  return chainIds(config.rootfs.diff_ids);
}
