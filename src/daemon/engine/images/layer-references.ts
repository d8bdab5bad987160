// Which unpacked image layers may be removed. Nothing counts references: they are computed,
// each time, from the records that exist, so they cannot drift and a crash cannot leave a
// count behind. A layer (chain ID) is needed while
//   - an image in the image store has it in its chain, or
//   - a container's image has it in its chain: the container stands on it (overlay's lower
//     directories), whether that image is still in the store or was removed with `rmi -f`
//     (its config blob stays in the content store for as long as a container names it, so
//     the chain can always be computed), or
//   - a job under way unpacked it for an image or container it has not recorded yet (pinned).
// When some config cannot be read, what it needs is unknown and nothing is removed: a layer
// left behind is removed by a later sweep, a layer removed under a container is a broken one.
import type { StoredLayer } from '../../../images/graphdriver/stored-layers.js';

export type NeededLayers =
  | { known: true; chains: Set<string> }
  | { known: false; imageId: string };

/**
 * The chain IDs the given images need (the store's images and containers' images, repeats
 * allowed). `chainsOf` answers undefined for a config it cannot read.
 */
export async function neededLayers(
  imageIds: Iterable<string>,
  chainsOf: (imageId: string) => Promise<readonly string[] | undefined>,
): Promise<NeededLayers> {
  const chains = new Set<string>();
  for (const imageId of new Set(imageIds)) {
    const chain = await chainsOf(imageId);
    if (chain === undefined) return { known: false, imageId };
    for (const id of chain) chains.add(id);
  }
  return { known: true, chains };
}

/**
 * The stored layers nothing needs, in an order that is safe to remove them in: children before
 * their parents (deepest first), so that a crash half way never leaves a layer whose lower
 * layers are gone (a later unpack would reuse it as complete).
 */
export function unneededLayers(stored: readonly StoredLayer[], needed: ReadonlySet<string>, pinned: ReadonlySet<string> = new Set()): string[] {
  return stored
    .filter((layer) => !needed.has(layer.chainId) && !pinned.has(layer.chainId))
    .sort((a, b) => b.depth - a.depth || (a.chainId < b.chainId ? -1 : a.chainId > b.chainId ? 1 : 0))
    .map((layer) => layer.chainId);
}
