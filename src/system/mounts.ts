// Mounting from Node, which has no mount(2): berth-mounter makes the system calls
// (src/system/mounter.ts), and /proc/self/mountinfo says what is mounted where.
import { lstat, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode } from '../errors.js';
import { hostMounter } from './mounter.js';

/**
 * An overlay mount. `cwd` is where relative paths in `options` start from (the kernel resolves
 * them in the calling process, here the mounter).
 */
export function mountOverlay(options: string, target: string, cwd?: string): Promise<void> {
  return hostMounter().mount('overlay', target, 'overlay', options, cwd === undefined ? {} : { cwd });
}

export function unmount(target: string): Promise<void> {
  return hostMounter().unmount(target);
}

/** The mount points in a mountinfo text, in mount order (field 5, with octal escapes undone). */
export function parseMountPoints(mountinfo: string): string[] {
  const points: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4];
    if (field) points.push(field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
  }
  return points;
}

async function mountPoints(): Promise<string[]> {
  return parseMountPoints(await readFile('/proc/self/mountinfo', 'utf8'));
}

/**
 * Whether another filesystem is mounted on `path` (absolute, symlink-free): its device differs
 * from its parent directory's. A stat each instead of mountinfo, which lists every mount on the
 * host and grows with every container; right for berth's own mounts (an overlay, a network
 * namespace), blind to a bind mount from the same filesystem.
 */
export async function isMountPoint(path: string): Promise<boolean> {
  try {
    const [own, parent] = await Promise.all([lstat(path), lstat(dirname(path))]);
    return own.dev !== parent.dev;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Unmounts everything at or below `dir` (absolute, symlink-free), last mounted first, so that
 * removing the directory afterwards deletes only what is really in it and never goes through a
 * mount into a layer or the host.
 */
export async function unmountAllUnder(dir: string): Promise<void> {
  const points = (await mountPoints()).filter((p) => p === dir || p.startsWith(`${dir}/`));
  for (const point of points.reverse()) await unmount(point);
}
