// Mounting from Node, which has no mount(2): util-linux's `mount` and `umount` (always on a
// Linux host), and /proc/self/mountinfo to know what is mounted where.
import { readFile } from 'node:fs/promises';
import { runCommand } from '../../system/command.js';

function run(command: string, args: string[], cwd?: string): Promise<void> {
  return runCommand(command, args, cwd === undefined ? {} : { cwd }).then(() => {});
}

/**
 * An overlay mount. `cwd` is where relative paths in `options` start from (the kernel resolves
 * them in the calling process, here the `mount` command).
 */
export function mountOverlay(options: string, target: string, cwd?: string): Promise<void> {
  return run('mount', ['-t', 'overlay', 'overlay', '-o', options, target], cwd);
}

export function unmount(target: string): Promise<void> {
  return run('umount', [target]);
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

/** Whether `path` (absolute, symlink-free) is a mount point. */
export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountPoints()).includes(path);
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
