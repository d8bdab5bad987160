// Docker's detach keys: a sequence typed on an attached stdin ("ctrl-p,ctrl-q" by default)
// that ends the attach and leaves the container running. Bytes that start the sequence are
// held back until it is clear they do not complete it.
import { InvalidArgument } from '../../../errors.js';

export const defaultDetachKeys = [0x10, 0x11]; // ctrl-p ctrl-q

/** "ctrl-p,ctrl-q", "ctrl-a,x", … → bytes (Docker's term.ToBytes). */
export function parseDetachKeys(text: string | undefined): number[] {
  if (!text) return defaultDetachKeys;
  return text.split(',').map((key) => {
    const k = key.trim().toLowerCase();
    if (k.length === 1) return k.charCodeAt(0);
    const ctrl = /^ctrl-([a-z@[\\\]^_])$/.exec(k);
    if (ctrl) {
      const c = ctrl[1]!;
      return c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 96 : '@[\\]^_'.indexOf(c);
    }
    throw new InvalidArgument(`Invalid detach keys (${text}) provided`);
  });
}

export class DetachKeyWatch {
  private matched = 0;

  constructor(private readonly keys: number[]) {}

  push(data: Buffer): { passed: Buffer; detached: boolean } {
    const out: number[] = [];
    for (const byte of data) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { passed: Buffer.from(out), detached: true };
        continue;
      }
      // A partial match that failed: the held bytes were ordinary input after all.
      out.push(...this.keys.slice(0, this.matched));
      this.matched = byte === this.keys[0] ? 1 : 0;
      if (this.matched === 0) out.push(byte);
    }
    return { passed: Buffer.from(out), detached: false };
  }
}
