// OCI whiteouts (image-spec layer.md): an entry ".wh.<name>" says <name> was deleted in this
// layer; ".wh..wh..opq" in a directory says the directory is opaque (nothing of the lower
// layers shows through). Other ".wh..wh.*" names are aufs housekeeping and mean nothing.
//
// Two ways to honour them, one per kind of graph driver:
// - 'apply' (vfs: each layer is extracted on top of a copy of the one below): delete now.
// - 'overlay' (each layer in its own directory, stacked by overlayfs at mount time): write
//   overlayfs' own markers, a 0/0 character device and the xattr trusted.overlay.opaque=y.
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FailedPrecondition, InvalidArgument, errnoCode } from '../../errors.js';
import { findSetfattr, makeDeviceNode, setXattr } from './system-tools.js';

export const whiteoutPrefix = '.wh.';
export const opaqueMarker = '.wh..wh..opq';
const metaPrefix = '.wh..wh.';

export type WhiteoutMode = 'overlay' | 'apply';

export type Whiteout =
  | { kind: 'remove'; name: string }
  | { kind: 'opaque' }
  /** aufs housekeeping (.wh..wh.plnk, .wh..wh.aufs, …): skipped. */
  | { kind: 'meta' };

/** What a base name says as a whiteout, or undefined for an ordinary name. */
export function parseWhiteout(base: string, describe: string): Whiteout | undefined {
  if (!base.startsWith(whiteoutPrefix)) return undefined;
  if (base === opaqueMarker) return { kind: 'opaque' };
  if (base.startsWith(metaPrefix)) return { kind: 'meta' };
  const name = base.slice(whiteoutPrefix.length);
  if (name === '' || name === '.' || name === '..') {
    throw new InvalidArgument(`${describe}: whiteout names no file`);
  }
  return { kind: 'remove', name };
}

/** True if any directory on the way is aufs housekeeping (".wh..wh.plnk/…"): skip the entry. */
export function underMetaDirectory(path: string): boolean {
  const components = path.split('/');
  components.pop();
  return components.some((c) => c.startsWith(metaPrefix));
}

/** 'apply': removes <dir>/<name> and everything under it; nothing there is fine. */
export async function removeWhitedOut(hostDir: string, name: string): Promise<boolean> {
  const target = join(hostDir, name);
  // lstat first: rm must act on the name itself, and a missing name is not an error.
  const exists = await lstat(target).then(
    () => true,
    (err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    },
  );
  if (exists) await rm(target, { recursive: true, force: true });
  return exists;
}

/**
 * 'apply': empties an opaque directory of what the lower layers put there. `written(path)`
 * says whether this layer wrote a path (relative to the root): those stay, and directories
 * this layer kept are pruned the same way, since lower content under them is hidden too.
 */
export async function pruneOpaque(hostRoot: string, dir: string, written: (path: string) => boolean): Promise<boolean> {
  let removed = false;
  const entries = await readdir(join(hostRoot, dir), { withFileTypes: true });
  for (const entry of entries) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (!written(path)) {
      await rm(join(hostRoot, path), { recursive: true, force: true });
      removed = true;
    } else if (entry.isDirectory()) {
      removed = (await pruneOpaque(hostRoot, path, written)) || removed;
    }
  }
  return removed;
}

/** 'overlay': a whiteout as overlayfs spells it, a character device 0/0 (mode 0, like Docker's). */
export function makeOverlayWhiteout(hostPath: string): Promise<void> {
  return makeDeviceNode(hostPath, 'c', 0, 0, 0);
}

/** 'overlay': marks a directory opaque. Without setfattr the layer cannot be right: refuse. */
export async function markOverlayOpaque(hostDir: string): Promise<void> {
  const setfattr = await findSetfattr();
  if (!setfattr) {
    throw new FailedPrecondition('an opaque directory in an overlay layer needs setfattr: install the Debian package attr');
  }
  await setXattr(setfattr, hostDir, 'trusted.overlay.opaque', Buffer.from('y'));
}
