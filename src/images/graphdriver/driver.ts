// The graph driver contract: how unpacked image layers and containers' writable layers are kept
// on disk and turned into a root filesystem. Names follow Docker's (overlay2 → 'overlay', vfs);
// the same job is containerd's snapshotter's.
//
// Image layers are named by chain ID (a layer together with everything below it), so images
// sharing a base share its unpacked layers. What references a layer (images, containers) is the
// caller's business: drivers keep no reference counts and remove what they are told to.
import type { Readable } from 'node:stream';
import { InvalidArgument } from '../../errors.js';
import { parseDigest } from '../digest.js';

export type GraphDriverName = 'overlay' | 'vfs';

export const graphDriverNames: readonly GraphDriverName[] = ['overlay', 'vfs'];

/** Docker's `GraphDriver.Data` of an inspected container: overlay's four paths, nothing for vfs. */
export type GraphDriverData =
  | { LowerDir?: string; UpperDir: string; MergedDir: string; WorkDir: string }
  | Record<string, never>;

export interface CreateLayerResult {
  /** Bytes of the uncompressed layer tar. */
  size: number;
  /** What applying skipped without failing (see applyLayer). */
  warnings: string[];
}

export interface GraphDriver {
  readonly name: GraphDriverName;
  /** Where this driver keeps everything (`<root>/<name>`). */
  readonly home: string;

  hasLayer(chainId: string): Promise<boolean>;
  /**
   * Unpacks a layer blob (plain, gzip or zstd tar) on top of `parentChainId`. The uncompressed
   * content must hash to `expectedDiffId` (from the image config); `layerDigest` names the blob
   * in errors. All or nothing: the layer appears under its chain ID only once complete and
   * verified. Conflict if it already exists, NotFound if the parent does not.
   */
  createLayer(
    chainId: string,
    parentChainId: string | undefined,
    tar: Readable,
    expectedDiffId: string,
    layerDigest: string,
  ): Promise<CreateLayerResult>;
  /** Removes an image layer; children stacked on it (overlay) are the caller's concern. */
  removeLayer(chainId: string): Promise<void>;
  /** The directories whose union is the layer's filesystem, top first (vfs: just one). */
  diffPaths(chainId: string): Promise<string[]>;

  /** A writable layer for a container on top of the image's top layer (none: an empty rootfs). */
  createContainerLayer(containerId: string, imageTopChainId: string | undefined): Promise<void>;
  /** Makes the container's root filesystem available and returns its path; idempotent. */
  mountContainer(containerId: string, options?: ContainerMountOptions): Promise<string>;
  /** Idempotent: an unmounted container is fine. */
  unmountContainer(containerId: string): Promise<void>;
  /** Unmounts if needed and removes the writable layer with everything written to it. */
  removeContainerLayer(containerId: string): Promise<void>;
  graphDriverData(containerId: string): Promise<GraphDriverData>;
}

export interface ContainerMountOptions {
  /**
   * What the container writes need not survive a crash of the host (a container removed when it
   * exits): overlay then skips the sync of the whole upper filesystem that its unmount costs.
   */
  volatile?: boolean | undefined;
}

/** The on-disk name of an image layer: its chain ID's hex (a sha256, never anything else). */
export function layerDirectoryName(chainId: string): string {
  const parsed = parseDigest(chainId);
  if (parsed.algorithm !== 'sha256') throw new InvalidArgument(`chain ID ${chainId} must be a sha256 digest`);
  return parsed.hex;
}

// Docker's container name grammar; length capped so the name always makes a valid file name.
const containerIdGrammar = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/**
 * The on-disk name of a container's writable layer. The "-rw" suffix keeps it apart from image
 * layers (plain hex) and scratch directories, whatever the container is called.
 */
export function containerLayerDirectoryName(containerId: string): string {
  if (!containerIdGrammar.test(containerId)) {
    throw new InvalidArgument(
      `invalid container ID "${containerId}": use 1 to 128 of [a-zA-Z0-9_.-], starting with a letter or digit`,
    );
  }
  return `${containerId}-rw`;
}
