// Making a v2 directory usable: a controller's files appear in a cgroup only once its parent
// lists the controller in cgroup.subtree_control, so every ancestor enables what it has.
import { makeDirectories, type CgroupfsOps } from '../directories.js';
import { ControlDir } from '../files.js';

export async function availableControllers(dir: ControlDir): Promise<string[]> {
  return ((await dir.read('cgroup.controllers')) ?? '').trim().split(/\s+/).filter(Boolean);
}

/**
 * Enables every controller `dir` has for its children. All at once first; if the kernel refuses
 * (a controller that cannot be enabled here, or processes living in `dir`), one by one, keeping
 * whatever it accepts, as runc does. What stays disabled shows up later as an absent file.
 */
export async function enableControllers(dir: ControlDir): Promise<void> {
  const controllers = await availableControllers(dir);
  if (controllers.length === 0) return;
  try {
    await dir.ops.writeFile(dir.file('cgroup.subtree_control'), controllers.map((c) => `+${c}`).join(' '));
    return;
  } catch {
    // fall through to one at a time
  }
  for (const c of controllers) await dir.ops.writeFile(dir.file('cgroup.subtree_control'), `+${c}`).catch(() => {});
}

/**
 * Makes root/…segments, enabling controllers in root and in each directory above the last,
 * and returns the directories it made, parents first.
 */
export function makeDirectoriesWithControllers(ops: CgroupfsOps, root: string, segments: string[]): Promise<string[]> {
  return makeDirectories(ops, root, segments, (parent) => enableControllers(new ControlDir(ops, parent)));
}
