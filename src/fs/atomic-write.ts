import { closeSync, fsyncSync, openSync, renameSync, writeSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

// Every state file berth writes goes through here: a temporary file in the same directory,
// fsync, then rename. A crash leaves the old content or the new one, never a torn file.
// Runtime state under the exec root, which means nothing after a reboot, may skip the fsync
// (`durable: false`): the rename still makes each write all-or-nothing for every reader.

export interface AtomicWriteOptions {
  mode?: number;
  /** fsync before the rename, so that the new content survives a power loss (default true). */
  durable?: boolean;
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions | number = {}): Promise<void> {
  const { mode = 0o600, durable = true } = typeof options === 'number' ? { mode: options } : options;
  const tmp = tempName(path);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  await rename(tmp, path).catch(async (err) => {
    await unlink(tmp).catch(() => {});
    throw err;
  });
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = tempName(path);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
