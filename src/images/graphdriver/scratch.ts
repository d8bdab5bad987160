// Scratch directories: a layer is built in `<home>/tmp-<random>` and renamed to its real name
// only when complete, so a failure or a crash never leaves half a layer under a real ID. A
// layer being removed goes the other way (renamed to scratch, then deleted). Whatever scratch a
// crash left behind is deleted when the driver starts.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../errors.js';
import { unmountAllUnder } from './mounts.js';

const scratchName = /^tmp-[0-9a-f]{16}$/;

/** A fresh, empty scratch directory in `home`. */
export async function makeScratchDirectory(home: string): Promise<string> {
  const path = join(home, `tmp-${randomBytes(8).toString('hex')}`);
  await mkdir(path, { mode: 0o755 });
  return path;
}

/** Deletes a scratch directory (or any directory of the driver's), unmounting anything in it first. */
export async function discard(path: string): Promise<void> {
  await unmountAllUnder(path);
  await rm(path, { recursive: true, force: true });
}

/**
 * Takes `path` out of sight at once (a rename into scratch) and then deletes it; returns false
 * if there was nothing there.
 */
export async function removeDirectory(home: string, path: string): Promise<boolean> {
  const doomed = join(home, `tmp-${randomBytes(8).toString('hex')}`);
  try {
    await rename(path, doomed);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  await discard(doomed);
  return true;
}

/** Deletes the scratch directories a crash or kill left in `home`. */
export async function removeLeftoverScratch(home: string): Promise<void> {
  for (const name of await readdir(home)) {
    if (scratchName.test(name)) await discard(join(home, name));
  }
}

/**
 * Renames a finished scratch directory to its real name. Returns false (and discards the
 * scratch) when something got there first: a concurrent unpack of the same chain ID, whose
 * content is the same by construction.
 */
export async function publish(scratch: string, path: string): Promise<boolean> {
  try {
    await rename(scratch, path);
    return true;
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    await discard(scratch);
    return false;
  }
}
