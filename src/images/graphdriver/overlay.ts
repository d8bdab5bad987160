// The overlay driver, laid out as Docker's overlay2 so that the same tools and habits apply:
//
//   <root>/overlay/<id>/diff     what this layer changes (whiteouts in overlayfs' own form)
//   <root>/overlay/<id>/link     a short random name for it ...
//   <root>/overlay/l/<short>     ... a symlink to ../<id>/diff, for mounts too long otherwise
//   <root>/overlay/<id>/lower    the layers below, top first: "l/ABC:l/DEF"
//
// An image layer's <id> is its chain ID's hex; a container's writable layer is "<container>-rw"
// with work/ (overlayfs' own) and merged/ (the mount point) besides diff/.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { Conflict, NotFound, errnoCode } from '../../errors.js';
import {
  containerLayerDirectoryName,
  layerDirectoryName,
  type ContainerMountOptions,
  type CreateLayerResult,
  type GraphDriver,
  type GraphDriverData,
} from './driver.js';
import { isMountPoint, mountOverlay, unmount, unmountAllUnder } from '../../system/mounts.js';
import { planOverlayMount, type OverlayLower } from './overlay-mount-options.js';
import { checkOverlaySupported, overlayExtraOptions, overlayHasVolatile } from './overlay-probe.js';
import { discard, makeScratchDirectory, publish, removeDirectory, removeLeftoverScratch, spreadSubdirectories } from './scratch.js';
import { extractVerifiedLayer } from './verified-extract.js';

const linkDirectory = 'l';
/** Docker's length: 26 base32 characters, short enough for about 140 lower layers per page. */
const shortIdLength = 26;
const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function shortId(): string {
  return [...randomBytes(shortIdLength)].map((byte) => base32[byte & 31]).join('');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    },
  );
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

export class OverlayDriver implements GraphDriver {
  readonly name = 'overlay' as const;

  private constructor(readonly home: string) {}

  /** `root` must be absolute and free of symlinks (mount points are compared as paths). */
  static async open(root: string): Promise<OverlayDriver> {
    const home = join(root, 'overlay');
    await mkdir(join(home, linkDirectory), { recursive: true, mode: 0o700 });
    await spreadSubdirectories(home);
    const driver = new OverlayDriver(home);
    await removeLeftoverScratch(home);
    await driver.removeDanglingLinks();
    await checkOverlaySupported(home);
    return driver;
  }

  async hasLayer(chainId: string): Promise<boolean> {
    return exists(join(this.home, layerDirectoryName(chainId), 'diff'));
  }

  async createLayer(
    chainId: string,
    parentChainId: string | undefined,
    tar: Readable,
    expectedDiffId: string,
    layerDigest: string,
  ): Promise<CreateLayerResult> {
    let scratch: string | undefined;
    let link: string | undefined;
    try {
      const name = layerDirectoryName(chainId);
      if (await this.hasLayer(chainId)) throw new Conflict(`layer ${chainId} already exists`);
      const lowers = parentChainId === undefined ? [] : await this.lowersAbove(parentChainId);

      scratch = await makeScratchDirectory(this.home);
      await mkdir(join(scratch, 'diff'), { mode: 0o755 });
      const result = await extractVerifiedLayer(tar, join(scratch, 'diff'), { whiteouts: 'overlay', expectedDiffId, layerDigest });
      link = await this.writeLinks(scratch, name, lowers);
      if (!(await publish(scratch, join(this.home, name), { durable: true }))) await this.removeLink(link);
      return result;
    } catch (err) {
      tar.destroy();
      if (scratch) await discard(scratch);
      if (link) await this.removeLink(link);
      throw err;
    }
  }

  async removeLayer(chainId: string): Promise<void> {
    await this.removeLayerDirectory(layerDirectoryName(chainId));
  }

  async diffPaths(chainId: string): Promise<string[]> {
    const dir = join(this.home, layerDirectoryName(chainId));
    if (!(await exists(join(dir, 'diff')))) throw new NotFound(`layer ${chainId} does not exist`);
    const lowers = await this.lowersOf(dir);
    return [join(dir, 'diff'), ...lowers.map((l) => l.absolute)];
  }

  async createContainerLayer(containerId: string, imageTopChainId: string | undefined): Promise<void> {
    const name = containerLayerDirectoryName(containerId);
    if (await exists(join(this.home, name))) throw new Conflict(`container ${containerId} already has a layer`);
    const lowers = imageTopChainId === undefined ? [] : await this.lowersAbove(imageTopChainId);
    const scratch = await makeScratchDirectory(this.home);
    let link: string | undefined;
    try {
      for (const dir of ['diff', 'work', 'merged']) await mkdir(join(scratch, dir), { mode: 0o755 });
      link = await this.writeLinks(scratch, name, lowers);
      if (!(await publish(scratch, join(this.home, name)))) {
        throw new Conflict(`container ${containerId} already has a layer`);
      }
    } catch (err) {
      await discard(scratch);
      if (link) await this.removeLink(link);
      throw err;
    }
  }

  async mountContainer(containerId: string, options: ContainerMountOptions = {}): Promise<string> {
    const name = containerLayerDirectoryName(containerId);
    const dir = await this.containerDirectory(containerId);
    const lowers = await this.lowersOf(dir);
    // No image layers: the writable layer alone is the root filesystem (as in Docker).
    if (lowers.length === 0) return join(dir, 'diff');
    const merged = join(dir, 'merged');
    if (await isMountPoint(merged)) return merged;
    // A volatile mount leaves work/incompat/volatile behind, and overlay refuses to mount on a
    // work directory that has it: what was written there is kept, but no longer promised.
    await rm(join(dir, 'work', 'incompat'), { recursive: true, force: true });
    const plan = planOverlayMount({
      home: this.home,
      lowers,
      upper: { absolute: join(dir, 'diff'), relative: `${name}/diff` },
      work: { absolute: join(dir, 'work'), relative: `${name}/work` },
      extra: [...overlayExtraOptions(), ...(options.volatile && overlayHasVolatile() ? ['volatile'] : [])],
    });
    await mountOverlay(plan.options, merged, plan.cwd);
    return merged;
  }

  async unmountContainer(containerId: string): Promise<void> {
    const merged = join(await this.containerDirectory(containerId), 'merged');
    if (await isMountPoint(merged)) await unmount(merged);
  }

  async removeContainerLayer(containerId: string): Promise<void> {
    const dir = join(this.home, containerLayerDirectoryName(containerId));
    // Before the rename: a mount point cannot be moved, and nothing may be deleted through it.
    await unmountAllUnder(dir);
    await this.removeLayerDirectory(containerLayerDirectoryName(containerId));
  }

  async graphDriverData(containerId: string): Promise<GraphDriverData> {
    const dir = await this.containerDirectory(containerId);
    const lowers = await this.lowersOf(dir);
    const paths = { UpperDir: join(dir, 'diff'), MergedDir: join(dir, 'merged'), WorkDir: join(dir, 'work') };
    return lowers.length === 0 ? paths : { LowerDir: lowers.map((l) => l.absolute).join(':'), ...paths };
  }

  private async containerDirectory(containerId: string): Promise<string> {
    const dir = join(this.home, containerLayerDirectoryName(containerId));
    if (!(await exists(dir))) throw new NotFound(`container ${containerId} has no layer`);
    return dir;
  }

  /** The lower list of a layer stacked on `chainId`: that layer's link, then its own lowers. */
  private async lowersAbove(chainId: string): Promise<string[]> {
    const dir = join(this.home, layerDirectoryName(chainId));
    const link = await readOptional(join(dir, 'link'));
    if (link === undefined || !(await exists(join(dir, 'diff')))) throw new NotFound(`layer ${chainId} does not exist`);
    const below = await readOptional(join(dir, 'lower'));
    return [`${linkDirectory}/${link}`, ...(below ? below.split(':') : [])];
  }

  /** The layers below the one in `dir`, top first, by short and by real path. */
  private async lowersOf(dir: string): Promise<OverlayLower[]> {
    const text = await readOptional(join(dir, 'lower'));
    if (!text) return [];
    return Promise.all(
      text.split(':').map(async (relative) => {
        // l/<short> -> ../<id>/diff: the real path, as Docker shows it in LowerDir.
        const target = await readlink(join(this.home, relative));
        return { relative, absolute: resolve(this.home, linkDirectory, target) };
      }),
    );
  }

  /**
   * Writes `link` and `lower` into a scratch layer and makes its short link, which dangles
   * until the scratch is renamed to `name` (a crash in between leaves a dangling link, removed
   * at the next start). Returns the short id.
   */
  private async writeLinks(scratch: string, name: string, lowers: string[]): Promise<string> {
    for (;;) {
      const id = shortId();
      try {
        await symlink(`../${name}/diff`, join(this.home, linkDirectory, id));
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') continue; // 26 random characters: practically never
        throw err;
      }
      await writeFile(join(scratch, 'link'), id);
      if (lowers.length > 0) await writeFile(join(scratch, 'lower'), lowers.join(':'));
      return id;
    }
  }

  private async removeLink(id: string): Promise<void> {
    await rm(join(this.home, linkDirectory, id), { force: true });
  }

  private async removeLayerDirectory(name: string): Promise<void> {
    const dir = join(this.home, name);
    const link = await readOptional(join(dir, 'link'));
    if ((await removeDirectory(this.home, dir)) && link) await this.removeLink(link);
  }

  private async removeDanglingLinks(): Promise<void> {
    const links = join(this.home, linkDirectory);
    for (const id of await readdir(links)) {
      if (!(await exists(join(links, id)))) await this.removeLink(id);
    }
  }
}
