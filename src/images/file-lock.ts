// An exclusive lock between processes (and between callers in one process) that survives the
// holder dying: a lock file that names its holder by pid, process start time and boot id. A lock
// whose holder is gone — exited, or from before a reboot, or a reused pid — is stale and is
// broken. Node has no flock(2), and a file lock needs no daemon to clean it up.
import { readFileSync } from 'node:fs';
import { link, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { Conflict, errnoCode } from '../errors.js';
import { isSameLiveProcess, processStartTime } from '../runtime/container/process-identity.js';

export interface LockOptions {
  /** Wait for a live holder to let go (default), or throw Conflict at once. */
  wait?: boolean;
  signal?: AbortSignal;
  /** What the lock protects, for the Conflict message. */
  what?: string;
}

export interface FileLock {
  readonly path: string;
  release(): Promise<void>;
}

// A breaker file older than this belongs to a process that died while breaking a stale lock.
const staleBreakerMs = 10_000;

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = '';
    }
  }
  return cachedBootId;
}

// The token tells this holder's file from another's in the same process.
function ownerLine(): string {
  const token = Math.random().toString(36).slice(2);
  return `${process.pid} ${processStartTime(process.pid)} ${bootId()} ${token}\n`;
}

/** The holder recorded in a lock file's content, or undefined if it cannot still be running. */
function liveHolder(content: string): number | undefined {
  const [pidText, startTime, boot] = content.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0 || startTime === undefined || boot === undefined) return undefined;
  if (boot !== bootId()) return undefined;
  return isSameLiveProcess(pid, startTime) ? pid : undefined;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** True while a live process holds the lock at `path`. */
export async function isLockHeld(path: string): Promise<boolean> {
  const content = await readIfExists(path);
  return content !== undefined && liveHolder(content) !== undefined;
}

/**
 * Creates the lock file with its complete content in one step (link(2) of a finished temporary
 * file fails with EEXIST like O_EXCL), so nobody ever reads a half-written owner.
 */
async function tryCreate(path: string, content: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${content.trim().split(' ').at(-1)}.tmp`;
  await writeFile(tmp, content, { mode: 0o644 });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/**
 * Removes a lock still holding `staleContent`. Breakers take turns through a second lock file, so
 * two processes that both saw the same stale lock cannot remove a fresh one taken in between.
 */
async function breakStale(path: string, staleContent: string): Promise<void> {
  const breaker = `${path}.break`;
  try {
    await (await open(breaker, 'wx', 0o644)).close();
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    const since = await stat(breaker).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (since > staleBreakerMs) await unlink(breaker).catch(() => {});
    return;
  }
  try {
    if ((await readIfExists(path)) === staleContent) await unlink(path).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

export async function acquireFileLock(path: string, options: LockOptions = {}): Promise<FileLock> {
  const { wait = true, signal, what = path } = options;
  const content = ownerLine();
  let delay = 5;
  for (;;) {
    signal?.throwIfAborted();
    if (await tryCreate(path, content)) {
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          // Only remove the file if it is still ours (it may have been broken as stale).
          if ((await readIfExists(path)) === content) await unlink(path).catch(() => {});
        },
      };
    }
    const existing = await readIfExists(path);
    if (existing === undefined) continue; // released between our attempt and the read
    const holder = liveHolder(existing);
    if (holder === undefined) {
      await breakStale(path, existing);
      continue;
    }
    if (!wait) throw new Conflict(`${what} is in use by process ${holder}`);
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 100);
  }
}
