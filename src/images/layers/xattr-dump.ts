// Reads the extended attributes of a whole tree at once with `getfattr -R` (Debian's attr):
// Node has no API for xattrs, and one process for the tree costs far less than one per file.
// Without getfattr, trees are read as if nothing had xattrs (the caller is told so).
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { runCommand } from '../../system/command.js';

/** Attributes by path relative to the tree's root ('' is the root itself). */
export type XattrTree = Map<string, Map<string, Buffer>>;

let getfattrPath: Promise<string | undefined> | undefined;

/** Where `getfattr` is, if installed. Looked up once. */
export function findGetfattr(): Promise<string | undefined> {
  getfattrPath ??= (async () => {
    for (const dir of (process.env.PATH || '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
      const candidate = join(dir, 'getfattr');
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // next directory
      }
    }
    return undefined;
  })();
  return getfattrPath;
}

/** Undoes getfattr's quoting of names: "\ooo" octal escapes (and "\\") back to bytes. */
export function unquoteGetfattr(text: string): string {
  const bytes: number[] = [];
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if (byte === 0x5c && i + 3 < raw.length && /^[0-7]{3}$/.test(raw.toString('latin1', i + 1, i + 4))) {
      bytes.push(parseInt(raw.toString('latin1', i + 1, i + 4), 8));
      i += 3;
    } else if (byte === 0x5c && raw[i + 1] === 0x5c) {
      bytes.push(0x5c);
      i += 1;
    } else {
      bytes.push(byte);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes a value as `getfattr -e base64` (or hex, or text) prints it. */
export function decodeGetfattrValue(value: string): Buffer {
  if (value.startsWith('0s')) return Buffer.from(value.slice(2), 'base64');
  if (value.startsWith('0x')) return Buffer.from(value.slice(2), 'hex');
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) return Buffer.from(unquoteGetfattr(value.slice(1, -1)), 'utf8');
  return Buffer.from(value, 'utf8');
}

/**
 * Parses `getfattr -R -d -m - -e base64 --absolute-names <root>` output into attributes by path
 * relative to `root`. Entries outside `root` are ignored.
 */
export function parseGetfattrDump(output: string, root: string): XattrTree {
  const tree: XattrTree = new Map();
  let current: Map<string, Buffer> | undefined;
  const base = root.replace(/\/+$/, '');
  for (const line of output.split('\n')) {
    if (line.startsWith('# file: ')) {
      const path = unquoteGetfattr(line.slice('# file: '.length));
      let relative: string | undefined;
      if (path === base || path === `${base}/`) relative = '';
      else if (path.startsWith(`${base}/`)) relative = path.slice(base.length + 1);
      current = undefined;
      if (relative !== undefined) {
        current = new Map();
        tree.set(relative, current);
      }
      continue;
    }
    if (!current || line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    const name = unquoteGetfattr(equals < 0 ? line : line.slice(0, equals));
    current.set(name, equals < 0 ? Buffer.alloc(0) : decodeGetfattrValue(line.slice(equals + 1)));
  }
  for (const [path, attrs] of tree) if (attrs.size === 0) tree.delete(path);
  return tree;
}

/**
 * Every xattr under `root` (all namespaces the caller may read: trusted.* as root), without
 * following symlinks. `undefined` when getfattr is not installed.
 */
export async function readXattrTree(root: string): Promise<XattrTree | undefined> {
  const getfattr = await findGetfattr();
  if (!getfattr) return undefined;
  const stdout = await runCommand(getfattr, ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'base64', '--absolute-names', '--', root], {
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, LC_ALL: 'C' },
  });
  return parseGetfattrDump(stdout, root);
}
