// The vfs driver: no union filesystem at all. Every layer is a complete copy of the one below
// with its own changes applied (whiteouts deleted at once), so it works on any filesystem, at
// the cost of disk space (`cp --reflink=auto` shares blocks where the filesystem can):
//
//   <root>/vfs/dir/<id>   an image layer's full tree (<id>: the chain ID's hex)
//                         or a container's ("<container>-rw", a copy of its image's top layer)
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Conflict, NotFound, errnoCode } from '../../errors.js';
import { runCommand } from '../../system/command.js';
import {
  containerLayerDirectoryName,
  layerDirectoryName,
  type CreateLayerResult,
  type GraphDriver,
  type GraphDriverData,
} from './driver.js';
import { discard, makeScratchDirectory, publish, removeDirectory, removeLeftoverScratch, spreadSubdirectories } from './scratch.js';
import { extractVerifiedLayer } from './verified-extract.js';


async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/** Copies a tree with everything (owners, modes, times, xattrs, devices, hard links). */
async function copyTree(from: string, to: string): Promise<void> {
  await runCommand('cp', ['-a', '--reflink=auto', '--', `${from}/.`, `${to}/`]);
}

export class VfsDriver implements GraphDriver {
  readonly name = 'vfs' as const;

  private constructor(readonly home: string) {}

  static async open(root: string): Promise<VfsDriver> {
    const home = join(root, 'vfs');
    await mkdir(join(home, 'dir'), { recursive: true, mode: 0o700 });
    await spreadSubdirectories(home);
    await removeLeftoverScratch(home);
    return new VfsDriver(home);
  }

  private layerPath(chainId: string): string {
    return join(this.home, 'dir', layerDirectoryName(chainId));
  }

  private containerPath(containerId: string): string {
    return join(this.home, 'dir', containerLayerDirectoryName(containerId));
  }

  async hasLayer(chainId: string): Promise<boolean> {
    return isDirectory(this.layerPath(chainId));
  }

  async createLayer(
    chainId: string,
    parentChainId: string | undefined,
    tar: Readable,
    expectedDiffId: string,
    layerDigest: string,
  ): Promise<CreateLayerResult> {
    let scratch: string | undefined;
    try {
      const path = this.layerPath(chainId);
      if (await isDirectory(path)) throw new Conflict(`layer ${chainId} already exists`);
      const parent = parentChainId === undefined ? undefined : await this.existingLayer(parentChainId);
      scratch = await makeScratchDirectory(this.home);
      if (parent) await copyTree(parent, scratch);
      const result = await extractVerifiedLayer(tar, scratch, { whiteouts: 'apply', expectedDiffId, layerDigest });
      await publish(scratch, path, { durable: true });
      return result;
    } catch (err) {
      tar.destroy();
      if (scratch) await discard(scratch);
      throw err;
    }
  }

  async removeLayer(chainId: string): Promise<void> {
    await removeDirectory(this.home, this.layerPath(chainId));
  }

  async diffPaths(chainId: string): Promise<string[]> {
    return [await this.existingLayer(chainId)];
  }

  async createContainerLayer(containerId: string, imageTopChainId: string | undefined): Promise<void> {
    const path = this.containerPath(containerId);
    if (await isDirectory(path)) throw new Conflict(`container ${containerId} already has a layer`);
    const top = imageTopChainId === undefined ? undefined : await this.existingLayer(imageTopChainId);
    const scratch = await makeScratchDirectory(this.home);
    try {
      if (top) await copyTree(top, scratch);
      if (!(await publish(scratch, path))) throw new Conflict(`container ${containerId} already has a layer`);
    } catch (err) {
      await discard(scratch);
      throw err;
    }
  }

  /** Nothing to mount: the container's directory is its root filesystem. */
  async mountContainer(containerId: string): Promise<string> {
    return this.existingContainer(containerId);
  }

  async unmountContainer(containerId: string): Promise<void> {
    await this.existingContainer(containerId);
  }

  async removeContainerLayer(containerId: string): Promise<void> {
    await removeDirectory(this.home, this.containerPath(containerId));
  }

  /** Docker shows no paths for vfs. */
  async graphDriverData(containerId: string): Promise<GraphDriverData> {
    await this.existingContainer(containerId);
    return {};
  }

  private async existingLayer(chainId: string): Promise<string> {
    const path = this.layerPath(chainId);
    if (!(await isDirectory(path))) throw new NotFound(`layer ${chainId} does not exist`);
    return path;
  }

  private async existingContainer(containerId: string): Promise<string> {
    const path = this.containerPath(containerId);
    if (!(await isDirectory(path))) throw new NotFound(`container ${containerId} has no layer`);
    return path;
  }
}
