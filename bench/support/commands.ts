// Commands the benchmarks run without blocking the event loop, each killed at once when a signal
// arrives, so that a bench's main unwinds through its clean-up; and `runBench`, which installs
// those signal handlers and turns the outcome into an exit status.
import { spawn, type ChildProcess } from 'node:child_process';
import { log } from './host.js';

let aborted = false;
const running = new Set<ChildProcess>();

/** Whether a signal asked the bench to stop. */
export const interrupted = () => aborted;

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

/** Runs a command without blocking the event loop, timed from spawn to exit. */
export function exec(file: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000, duringCleanup = false): Promise<Result> {
  if (aborted && !duringCleanup) return Promise.reject(new Error('interrupted'));
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env, timeout: timeoutMs });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', (err) => {
      running.delete(child);
      reject(err);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (aborted && !duringCleanup) reject(new Error('interrupted'));
      else resolve({ status: code ?? (signal ? 128 : -1), stdout, stderr, ms });
    });
  });
}

/** A long-running command the bench stops itself (a server); killed too when a signal arrives. */
export interface Background {
  readonly child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
  /** Resolves once its output contains `text`; rejects when it exits first or after `timeoutMs`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** SIGKILL, and its exit awaited. */
  kill(): Promise<void>;
}

export function startBackground(file: string, args: string[]): Background {
  if (aborted) throw new Error('interrupted');
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const append = (d: Buffer) => (output += d);
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => {
    child.on('error', (err) => {
      output += `${err.message}\n`;
      resolve();
    });
    child.on('close', () => resolve());
  }).finally(() => running.delete(child));
  const gone = () => child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
  return {
    child,
    output: () => output,
    waitFor: async (text, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (gone()) throw new Error(`${file} exited: ${firstLine(output) || `status ${child.exitCode ?? child.signalCode}`}`);
        if (aborted) throw new Error('interrupted');
        if (Date.now() > deadline) throw new Error(`${file}: no "${text}" within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    kill: async () => {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Runs a bench's main and exits: 0, 1 after printing its error, or 130 when interrupted. A signal
 * kills the commands running and lets main unwind through its clean-up.
 */
export async function runBench(main: () => Promise<void>): Promise<never> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (aborted) return log(`${signal}: still cleaning up`);
      aborted = true;
      log(`${signal}: cleaning up`);
      for (const child of running) child.kill('SIGKILL');
    });
  }
  try {
    await main();
    process.exit(aborted ? 130 : 0);
  } catch (err) {
    if (!aborted) console.error(`bench: ${(err as Error).message}`);
    process.exit(aborted ? 130 : 1);
  }
}
