// Reading and writing single control files, with the kernel's errors turned into berth's:
// an absent file means an absent controller, a refused value an invalid field.
import { join } from 'node:path';
import { InvalidArgument, Unsupported, errnoCode } from '../../errors.js';
import type { CgroupfsOps } from './directories.js';
import { UNLIMITED } from './stats.js';

/** A control file of one cgroup directory, with the ops that reach it. */
export class ControlDir {
  constructor(
    readonly ops: CgroupfsOps,
    readonly path: string,
  ) {}

  file(name: string): string {
    return join(this.path, name);
  }

  /**
   * Writes `value` to `name` on behalf of the spec field `field`. The kernel refusing the value
   * (EINVAL, ERANGE, EBUSY...) becomes InvalidArgument; an absent file becomes Unsupported.
   */
  async write(name: string, value: string | number, field: string): Promise<void> {
    const data = String(value);
    try {
      await this.ops.writeFile(this.file(name), data);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT') {
        throw new Unsupported(`${field}: ${this.file(name)} does not exist (controller or feature not available)`, { cause: err });
      }
      if (code === 'ENODEV') {
        throw new InvalidArgument(`${field}: no such device for ${this.file(name)} ("${data.trim()}")`, { cause: err });
      }
      if (code === 'EINVAL' || code === 'ERANGE' || code === 'EBUSY' || code === 'EOVERFLOW' || code === 'ENOSPC') {
        throw new InvalidArgument(`${field}: the kernel refused "${data.trim()}" for ${this.file(name)} (${code})`, { cause: err });
      }
      throw err;
    }
  }

  /** The file's content, or undefined when it does not exist. */
  async read(name: string): Promise<string | undefined> {
    try {
      return await this.ops.readFile(this.file(name));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  async exists(name: string): Promise<boolean> {
    return (await this.read(name)) !== undefined;
  }

  /** A single-number file as a number (UNLIMITED for "max" or beyond 2^53); 0 when absent. */
  async readNumber(name: string): Promise<number> {
    const text = await this.read(name);
    return text === undefined ? 0 : parseCounter(text.trim());
  }

  /** A "key value" per line file (memory.stat, cpu.stat, memory.events); {} when absent. */
  async readKeyValues(name: string): Promise<Record<string, number>> {
    const text = await this.read(name);
    return text === undefined ? {} : parseKeyValues(text);
  }
}

/** One counter or limit: "max" and values past 2^53 (v1's "no limit") read as UNLIMITED. */
export function parseCounter(text: string): number {
  if (text === 'max') return UNLIMITED;
  if (!/^-?\d+$/.test(text)) return 0;
  const value = BigInt(text);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return UNLIMITED;
  if (value < 0n) return text === '-1' ? UNLIMITED : 0;
  return Number(value);
}

export function parseKeyValues(text: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) result[key] = parseCounter(value);
  }
  return result;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls `check` until it returns true, backing off up to 100 ms, for at most `timeoutMs`. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 100)) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}
