// Summaries of timing samples, and the memory of host processes from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Nearest-rank percentile, p in 0..1. */
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
};

export interface Memory {
  /** Bytes. */
  rss: number;
  /** Proportional set size in bytes (shared pages divided among their users), when the kernel has smaps_rollup. */
  pss?: number;
}

/** A process's memory, or undefined when it is gone. */
export function processMemory(pid: number): Memory | undefined {
  const field = (text: string, name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rss = field(rollup, 'Rss');
    if (rss !== undefined) return { rss, pss: field(rollup, 'Pss') };
  } catch { /* no smaps_rollup (old kernel), or gone */ }
  try {
    const rss = field(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
    return rss === undefined ? undefined : { rss };
  } catch {
    return undefined;
  }
}

/** Pids of processes whose program is named `program` and whose command line mentions `mentioning`. */
export function findProcesses(program: string, mentioning: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (basename(argv[0] ?? '') === program && argv.some((a) => a.includes(mentioning))) found.push(Number(name));
    } catch { /* exited */ }
  }
  return found;
}

/** The summed memory of processes; pss only when every one of them has it. */
export function sumMemory(pids: number[]): Memory {
  const each = pids.map(processMemory).filter((m): m is Memory => m !== undefined);
  const rss = each.reduce((a, m) => a + m.rss, 0);
  return each.every((m) => m.pss !== undefined) ? { rss, pss: each.reduce((a, m) => a + m.pss!, 0) } : { rss };
}
