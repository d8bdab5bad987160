// The exit file berth-monitor writes (atomically) when the container exits: how a container's
// exit is learnt when no client was connected to hear the monitor's EXIT record.
import { readFile } from 'node:fs/promises';

export interface ExitFile {
  /** The exit code a shell would report: the code, or 128 + the signal number. */
  exitCode: number;
  /** The signal that killed the container process, 0 if it exited. */
  signal: number;
  oomKilled: boolean;
  /** RFC 3339 with nanoseconds, UTC. */
  finishedAt: string;
}

/** The exit file's content, or undefined if the monitor has not written one. */
export async function readExitFile(path: string): Promise<ExitFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const value = JSON.parse(text) as Partial<ExitFile>;
  return {
    exitCode: Number(value.exitCode ?? 255),
    signal: Number(value.signal ?? 0),
    oomKilled: value.oomKilled === true,
    finishedAt: String(value.finishedAt ?? ''),
  };
}
