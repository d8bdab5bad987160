// Telling whether a recorded pid is still the container's process: the pid must exist, must
// not be a zombie, and must have the start time recorded at create (pids are reused).
import { readFileSync } from 'node:fs';

interface ProcStat {
  state: string;
  startTime: string;
}

function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ")".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

/** The start time of a live process, to record next to its pid. */
export function processStartTime(pid: number): string {
  return readProcStat(pid)?.startTime ?? '';
}

/** True while `pid` is the same, not yet exited, process. */
export function isSameLiveProcess(pid: number, startTime: string): boolean {
  if (pid <= 0) return false;
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return !startTime || stat.startTime === startTime;
}

/** Waits until the process is gone (or a zombie), polling; false on timeout. */
export async function waitForProcessExit(pid: number, startTime: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  while (isSameLiveProcess(pid, startTime)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
  return true;
}
