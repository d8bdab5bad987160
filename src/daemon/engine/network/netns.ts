// A container's network namespace, made before the container and kept by a bind mount under
// the exec root (as `ip netns add` keeps one under /run/netns), so that networking is plumbed
// outside the container's start path and the runtime joins it by path. berth-mounter does the
// unshare(2), brings lo up (as Docker does for every sandbox) and makes the bind mount.
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMountPoint, unmount } from '../../../system/mounts.js';
import { hostMounter } from '../../../system/mounter.js';

/** A new network namespace at `path`, with its loopback interface up. */
export async function createNetworkNamespace(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await (await open(path, 'w', 0o444)).close();
  try {
    await hostMounter().createNetworkNamespace(path);
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

/** Unmounts and removes the namespace's file; the namespace itself ends with its last user. */
export async function removeNetworkNamespace(path: string): Promise<void> {
  if (await isMountPoint(path)) await unmount(path);
  await rm(path, { force: true });
}
