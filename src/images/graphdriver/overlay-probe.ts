// Whether overlayfs works here, asked of the kernel by doing it once: a tiny two-layer mount
// with a whiteout, an opaque directory and a write, in a scratch directory of the driver's home.
// A kernel without overlay, a backing filesystem without xattrs or d_type, or overlay on top of
// overlay fail here, at driver start, with a clear message, not at a container's first mount.
import { existsSync } from 'node:fs';
import { mkdir, readdir, statfs, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { Unsupported } from '../../errors.js';
import { makeOverlayWhiteout, markOverlayOpaque } from '../layers/whiteouts.js';
import { mountOverlay, unmount } from '../../system/mounts.js';
import { discard, makeScratchDirectory } from './scratch.js';

const overlayfsMagic = 0x794c7630;

/** index=off when the kernel has the option: layers are shared between mounts (as in Docker). */
export function overlayExtraOptions(): string[] {
  return existsSync('/sys/module/overlay/parameters/index') ? ['index=off'] : [];
}

/** overlay's `volatile` (no sync of the upper filesystem, at unmount either) came in Linux 5.10. */
export function overlayHasVolatile(): boolean {
  const [major = 0, minor = 0] = release().split('.').map((n) => parseInt(n, 10));
  return major > 5 || (major === 5 && minor >= 10);
}

export async function checkOverlaySupported(home: string): Promise<void> {
  const advice = 'use the vfs storage driver instead (BERTH_STORAGE_DRIVER=vfs)';
  if ((await statfs(home)).type === overlayfsMagic) {
    throw new Unsupported(`overlay storage driver: ${home} is itself on overlayfs, which overlay cannot use as its upper layer; ${advice}`);
  }
  const probe = await makeScratchDirectory(home);
  try {
    const [bottom, top, upper, work, merged] = ['bottom', 'top', 'upper', 'work', 'merged'].map((d) => join(probe, d));
    for (const dir of [bottom, top, upper, work, merged]) await mkdir(dir);
    await mkdir(join(bottom, 'opaque'));
    await writeFile(join(bottom, 'opaque', 'hidden'), '');
    await writeFile(join(bottom, 'deleted'), '');
    await mkdir(join(top, 'opaque'));
    await markOverlayOpaque(join(top, 'opaque'));
    await makeOverlayWhiteout(join(top, 'deleted'));

    try {
      await mountOverlay([`lowerdir=${top}:${bottom}`, `upperdir=${upper}`, `workdir=${work}`, ...overlayExtraOptions()].join(','), merged);
    } catch (err) {
      throw new Unsupported(`overlay storage driver: this kernel cannot mount overlayfs on ${home} (${(err as Error).message}); ${advice}`, {
        cause: err,
      });
    }
    try {
      await writeFile(join(merged, 'written'), '');
      const seen = (await readdir(merged)).sort().join(' ');
      const opaque = (await readdir(join(merged, 'opaque'))).join(' ');
      if (seen !== 'opaque written' || opaque !== '') {
        throw new Unsupported(
          `overlay storage driver: overlayfs on ${home} ignores whiteouts or opaque directories (the backing filesystem needs xattrs and d_type); ${advice}`,
        );
      }
    } finally {
      await unmount(merged);
    }
  } finally {
    await discard(probe);
  }
}
