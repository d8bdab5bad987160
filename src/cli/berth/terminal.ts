// The user's terminal: raw mode for `-it` (restored however berth ends), its size for the
// container's pty, and SIGWINCH to follow resizes.
import { spawnSync } from 'node:child_process';
export function terminalSize(out: NodeJS.WriteStream = process.stdout): [number, number] | undefined {
  return out.isTTY && out.rows && out.columns ? [out.rows, out.columns] : undefined;
}

/**
 * Puts stdin in raw mode; returns the function that restores it. Output processing goes off
 * too (as Go's term.MakeRaw does for docker): libuv's raw mode keeps ONLCR, which would turn the
 * container's "\r\n" into "\r\r\n". setRawMode(false) restores the saved settings, OPOST included.
 */
export function enterRawMode(stdin: NodeJS.ReadStream = process.stdin): () => void {
  if (!stdin.isTTY) return () => {};
  stdin.setRawMode(true);
  spawnSync('stty', ['-opost'], { stdio: [(stdin as NodeJS.ReadStream & { fd?: number }).fd ?? 'inherit', 'ignore', 'ignore'] });
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try { stdin.setRawMode(false); } catch { /* terminal gone */ }
  };
  process.once('exit', restore);
  return restore;
}

/** Calls `resize(rows, columns)` now and on every SIGWINCH; returns the stop function. */
export function followTerminalSize(resize: (rows: number, columns: number) => Promise<unknown>, out: NodeJS.WriteStream = process.stdout): () => void {
  const send = () => {
    const size = terminalSize(out);
    if (size) resize(size[0], size[1]).catch(() => { /* the container may be gone */ });
  };
  send();
  process.on('SIGWINCH', send);
  return () => process.off('SIGWINCH', send);
}

/** docker's detach keys: "ctrl-p,ctrl-q" → [0x10, 0x11]; single characters as themselves. */
export function parseDetachKeys(text: string): Buffer {
  const bytes: number[] = [];
  for (const key of text.split(',')) {
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const c = ctrl[1]!.toLowerCase();
      if (c >= 'a' && c <= 'z') bytes.push(c.charCodeAt(0) - 96);
      else if (c === '@') bytes.push(0);
      else if (c === '[') bytes.push(27);
      else if (c === '\\') bytes.push(28);
      else if (c === ']') bytes.push(29);
      else if (c === '^') bytes.push(30);
      else if (c === '_') bytes.push(31);
      else throw new Error(`Unknown character: '${key}'`);
    } else if (key.length === 1) {
      bytes.push(key.charCodeAt(0));
    } else {
      throw new Error(`Unknown character: '${key}'`);
    }
  }
  return Buffer.from(bytes);
}

export const defaultDetachKeys = 'ctrl-p,ctrl-q';
