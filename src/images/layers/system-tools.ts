// What Node's fs cannot do: device nodes, fifos and extended attributes. Layers rarely hold
// device nodes or fifos, and few files carry xattrs, so one short-lived tool process per node
// costs less than a native addon would. Paths given here are already resolved (containment.ts)
// and their last component was just created or checked, so the tools follow no symlink.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { runCommand } from '../../system/command.js';

function run(command: string, args: string[]): Promise<void> {
  return runCommand(command, args).then(() => {});
}

/** A character or block device node. */
export function makeDeviceNode(path: string, kind: 'c' | 'b', major: number, minor: number, mode: number): Promise<void> {
  return run('mknod', ['-m', (mode & 0o7777).toString(8), '--', path, kind, String(major), String(minor)]);
}

export function makeFifo(path: string, mode: number): Promise<void> {
  return run('mkfifo', ['-m', (mode & 0o7777).toString(8), '--', path]);
}

let setfattrPath: Promise<string | undefined> | undefined;

/** Where `setfattr` (Debian package attr) is, if installed. Looked up once. */
export function findSetfattr(): Promise<string | undefined> {
  setfattrPath ??= (async () => {
    for (const dir of (process.env.PATH || '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
      const candidate = join(dir, 'setfattr');
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // next directory
      }
    }
    return undefined;
  })();
  return setfattrPath;
}

/** Sets one xattr on `path` itself (-h: a symlink's own attributes, not its target's). */
export function setXattr(setfattr: string, path: string, name: string, value: Uint8Array): Promise<void> {
  // "0s" + base64 carries any bytes, binary or text, unmangled.
  return run(setfattr, ['-h', '-n', name, '-v', `0s${Buffer.from(value).toString('base64')}`, '--', path]);
}
