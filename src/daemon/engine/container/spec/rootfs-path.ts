// Paths inside a container's root filesystem, resolved from the host without ever leaving it:
// every symlink on the way is followed *within* the root, as if the root were "/" (an absolute
// target starts again at the root, ".." stops at it), which is what the container itself would
// see. An image can therefore make /etc/passwd a symlink to /etc/shadow of the host, and berth
// reads the image's own /etc/shadow-named file, or nothing, never the host's.
//
// This assumes the root is not being changed while it is read (it is the container's own,
// not yet started, filesystem).
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgument, errnoCode } from '../../../../errors.js';
import { RootResolver, baseOf, parentOf } from '../../../../images/layers/containment.js';

const maxSymlinkHops = 40;

/** A path relative to the root, with "." and ".." applied; ".." at the root stays at the root, as for "/..". */
function clampToRoot(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** The host path of `path` (absolute, as the container sees it) inside `root`, or undefined when missing. */
export async function resolveInRoot(root: string, path: string): Promise<string | undefined> {
  const resolver = new RootResolver(await realpath(root));
  let current = clampToRoot(path);
  for (let hops = 0; hops <= maxSymlinkHops; hops++) {
    if (current === '') return resolver.root;
    const dir = await resolver.resolveDirectory(parentOf(current), { describe: path }).catch((err: unknown) => {
      // A component that is a file, not a directory: nothing there, as ENOTDIR would say.
      if (err instanceof InvalidArgument && /is not a directory/.test(err.message)) return undefined;
      throw err;
    });
    if (dir === undefined) return undefined;
    const relative = dir === '' ? baseOf(current) : `${dir}/${baseOf(current)}`;
    const host = join(resolver.root, relative);
    const stats = await lstat(host).catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    });
    if (!stats) return undefined;
    if (!stats.isSymbolicLink()) return host;
    const target = await readlink(host);
    current = clampToRoot(target.startsWith('/') ? target : `${dir}/${target}`);
  }
  throw new InvalidArgument(`${path}: too many levels of symbolic links`);
}

/** The largest passwd or group file berth reads (a real one is a few KiB). */
const maxFileSize = 16 * 1024 * 1024;

/**
 * The text of a regular file inside the root, or undefined when there is none. The file is
 * opened with O_NOFOLLOW on the resolved path, so a symlink swapped in afterwards is refused.
 */
export async function readFileInRoot(root: string, path: string): Promise<string | undefined> {
  const host = await resolveInRoot(root, path);
  if (host === undefined) return undefined;
  const handle = await open(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: unknown) => {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  });
  if (!handle) return undefined;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return undefined;
    if (stats.size > maxFileSize) throw new InvalidArgument(`${path} in the container's root filesystem is larger than ${maxFileSize} bytes`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Makes the container's working directory exist, as Docker does at start: missing components
 * are created 0755 and owned by root, resolved inside the root (a symlink component leads
 * where it would lead inside the container). A component that exists but is not a directory
 * is an InvalidArgument, with Docker's wording.
 */
export async function ensureWorkingDir(root: string, workingDir: string): Promise<void> {
  if (!workingDir.startsWith('/')) {
    throw new InvalidArgument(`the working directory '${workingDir}' is invalid, it needs to be an absolute path`);
  }
  const resolver = new RootResolver(await realpath(root));
  const cleaned = clampToRoot(workingDir);
  try {
    await resolver.resolveDirectory(cleaned, { create: true, describe: workingDir });
  } catch (err) {
    if (err instanceof InvalidArgument) throw new InvalidArgument(`Cannot mkdir: ${workingDir} is not a directory`, { cause: err });
    throw err;
  }
}

/** Creates a missing host directory for a `-v /host:/ctr` bind, as Docker does (0755, root-owned). */
export async function createBindSource(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o755 });
  await chmod(path, 0o755).catch(() => {});
}
