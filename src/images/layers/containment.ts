// Keeping a layer inside its directory. Two rules:
//
// 1. Names are cleaned lexically: a leading "/" or "./" is dropped (OCI names are relative to
//    the layer root; "/etc/x" means <root>/etc/x, as Docker treats it), "a/./b" and "a/b/.."
//    collapse, and a name that still climbs out ("../x", "a/../../x") is refused.
// 2. Directories on the way to an entry are resolved component by component with lstat, and
//    a symlink among them is followed *within the root*, as if the root were "/" (chroot
//    semantics, as Docker and containerd extract): "lib -> /usr/lib" leads to <root>/usr/lib,
//    "up -> ../../.." stops at <root>. The last component of an entry is never followed: the
//    caller replaces whatever is there (see apply.ts).
//
// The resolved path contains no symlinks at all, so the kernel follows none when berth then
// creates the entry. This assumes nobody else changes the directory while a layer is applied
// (it is berth's own, unmounted layer directory).
// The lstat/mkdir calls are synchronous, like the writes in entry-writer.ts (see there why).
import { chmodSync, lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { InvalidArgument } from '../../errors.js';

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS). */
const maxSymlinkHops = 40;

/**
 * The entry name relative to the layer root: no leading "/", no ".", no "..", no trailing "/".
 * "" is the root itself. Throws InvalidArgument for names that leave the root.
 */
export function cleanEntryPath(name: string, describe: string): string {
  if (name.includes('\0')) throw new InvalidArgument(`${describe}: name contains a NUL byte`);
  const normalized = posix.normalize(name.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../')) {
    throw new InvalidArgument(`${describe}: path leaves the layer root`);
  }
  return normalized === '.' || normalized === '' ? '' : normalized;
}

export const parentOf = (path: string): string => {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
};

export const baseOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export interface ResolveOptions {
  /** Make missing directories (0755, root-owned) instead of reporting them missing. */
  create?: boolean;
  /** Told about each directory made, relative to the root. */
  onCreate?: (path: string) => void;
  /** Names the entry in errors. */
  describe: string;
}

/** Resolves directories of a layer root with chroot semantics (see the top of this file). */
export class RootResolver {
  // Lexical directory → resolved directory, both relative to the root. Valid until anything
  // is removed or replaced (forget()); creating new paths cannot change what is cached,
  // since every cached path consists of existing directories.
  private readonly cache = new Map<string, string>([['', '']]);

  /** `root` must be an absolute path without symlinks (realpath it first). */
  constructor(readonly root: string) {}

  hostPath(path: string): string {
    return path === '' ? this.root : join(this.root, path);
  }

  forget(): void {
    this.cache.clear();
    this.cache.set('', '');
  }

  /**
   * The real directory that the cleaned path `dir` names inside the root, relative to the
   * root; undefined when some component is missing and `create` is off. Refuses components
   * that exist but are not directories, and symlink loops.
   */
  async resolveDirectory(dir: string, options: ResolveOptions): Promise<string | undefined> {
    const cached = this.cache.get(dir);
    if (cached !== undefined) return cached;

    const resolved: string[] = [];
    const pending = dir.split('/');
    let hops = 0;
    while (pending.length > 0) {
      const component = pending.shift()!;
      if (component === '' || component === '.') continue;
      if (component === '..') {
        resolved.pop(); // at the root, ".." is the root, as for "/.."
        continue;
      }
      const relative = [...resolved, component].join('/');
      const host = join(this.root, relative);
      const stats = lstatSync(host, { throwIfNoEntry: false });
      if (!stats) {
        if (!options.create) return undefined;
        mkdirSync(host, 0o755);
        chmodSync(host, 0o755); // mkdir's mode is filtered by the umask
        options.onCreate?.(relative);
        resolved.push(component);
      } else if (stats.isSymbolicLink()) {
        if (++hops > maxSymlinkHops) {
          throw new InvalidArgument(`${options.describe}: too many levels of symbolic links under ${dir}`);
        }
        const target = readlinkSync(host);
        // An absolute target starts again from the root; a relative one from the link's directory.
        if (target.startsWith('/')) resolved.length = 0;
        pending.unshift(...target.split('/'));
      } else if (stats.isDirectory()) {
        resolved.push(component);
      } else {
        throw new InvalidArgument(`${options.describe}: ${relative} is not a directory`);
      }
    }
    const result = resolved.join('/');
    this.cache.set(dir, result);
    return result;
  }
}
