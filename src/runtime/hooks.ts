// Runs the OCI lifecycle hooks of config.json (runtime-spec config.md#posix-platform-hooks):
// each hook is executed in order with exactly its own args and env, the container's state JSON
// on stdin, and is killed when it outlives its timeout.

import { spawn } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { FailedPrecondition, InvalidArgument } from '../errors.js';
import type { Hook, Hooks, State } from './spec/types.js';

export type HookKind = keyof Hooks;

/** Every hook kind berth runs, in lifecycle order. `prestart` is deprecated by the spec but still honoured. */
export const hookKinds: readonly HookKind[] = [
  'prestart',
  'createRuntime',
  'createContainer',
  'startContainer',
  'poststart',
  'poststop',
];

/** How much of a hook's stdout and stderr is kept for the error message. */
const outputKeptBytes = 8192;
const messageTailChars = 1024;
/**
 * After a hook exits, how long to wait for its stdout/stderr to reach end-of-file. A hook that
 * leaves a background process holding the pipes open must not hang the container's lifecycle.
 */
const outputDrainGraceMs = 200;

export interface HookOutcome {
  exitCode?: number;
  signal?: string;
  /** Set when the hook outlived `timeout` seconds and was killed. */
  timedOutAfterSeconds?: number;
  /** Why the hook could not be executed at all (ENOENT, EACCES, ...). */
  startError?: string;
  stdout: string;
  stderr: string;
}

/** A hook that could not run, failed, or timed out. The message names the kind, index and path. */
export class HookFailed extends FailedPrecondition {
  constructor(
    readonly hookKind: HookKind,
    readonly index: number,
    readonly path: string,
    readonly outcome: HookOutcome,
  ) {
    super(describeFailure(hookKind, index, path, outcome));
  }
}

function describeFailure(kind: HookKind, index: number, path: string, outcome: HookOutcome): string {
  const label = `${kind} hook ${index} (${path})`;
  let what: string;
  if (outcome.startError !== undefined) what = `could not be started: ${outcome.startError}`;
  else if (outcome.timedOutAfterSeconds !== undefined) {
    what = `did not finish within its timeout of ${outcome.timedOutAfterSeconds}s and was killed`;
  }
  else if (outcome.signal !== undefined) what = `was killed by signal ${outcome.signal}`;
  else what = `exited with status ${outcome.exitCode}`;
  // stderr is where a failing hook explains itself; fall back to stdout for hooks that print there.
  const output = outcome.stderr.trim() || outcome.stdout.trim();
  return output ? `${label} ${what}: ${tail(output)}` : `${label} ${what}`;
}

function tail(text: string): string {
  return text.length > messageTailChars ? `...${text.slice(-messageTailChars)}` : text;
}

/**
 * Runs `hooks` in order and throws HookFailed for the first that fails; the remaining hooks are
 * not run. This is what the spec asks for prestart, createRuntime, createContainer and
 * startContainer hooks, whose failure must fail the operation.
 */
export async function runHooks(kind: HookKind, hooks: Hook[] | undefined, state: State): Promise<void> {
  if (!hooks) return;
  const stateJson = JSON.stringify(state);
  for (const [index, hook] of hooks.entries()) {
    await runHook(kind, index, hook, stateJson);
  }
}

/**
 * Runs every hook in order, even after one fails, and returns the failures. For poststart and
 * poststop hooks, the spec says a failure must only be logged and the lifecycle must go on.
 */
export async function runHooksBestEffort(
  kind: HookKind,
  hooks: Hook[] | undefined,
  state: State,
): Promise<Error[]> {
  const failures: Error[] = [];
  if (!hooks) return failures;
  const stateJson = JSON.stringify(state);
  for (const [index, hook] of hooks.entries()) {
    try {
      await runHook(kind, index, hook, stateJson);
    } catch (err) {
      failures.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  return failures;
}

function hookEnvironment(kind: HookKind, index: number, hook: Hook): Record<string, string> {
  // No inheritance from berth's own environment: the hook sees exactly hook.env. A duplicate key
  // keeps its last value, as runc (Go's os/exec) does.
  const env: Record<string, string> = {};
  for (const entry of hook.env ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new InvalidArgument(`${kind} hook ${index} (${hook.path}): env entry ${JSON.stringify(entry)} is not KEY=value`);
    }
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function runHook(kind: HookKind, index: number, hook: Hook, stateJson: string): Promise<void> {
  if (typeof hook.path !== 'string' || !isAbsolute(hook.path)) {
    throw new InvalidArgument(`${kind} hook ${index}: path ${JSON.stringify(hook.path)} must be absolute`);
  }
  if (hook.timeout !== undefined && !(Number.isInteger(hook.timeout) && hook.timeout > 0)) {
    throw new InvalidArgument(`${kind} hook ${index} (${hook.path}): timeout must be a positive number of seconds`);
  }
  const env = hookEnvironment(kind, index, hook);
  // args[0] is argv[0], which need not be the path (a multi-call binary may dispatch on it).
  const [argv0 = hook.path, ...args] = hook.args ?? [];

  return new Promise((resolve, reject) => {
    const outcome: HookOutcome = { stdout: '', stderr: '' };
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;

    const child = spawn(hook.path, args, {
      argv0,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so that a timed-out hook is killed with everything it started
      // (a shell script's `sleep`), not just the top process.
      detached: true,
    });

    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(drainTimer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const failed =
        outcome.startError !== undefined ||
        outcome.timedOutAfterSeconds !== undefined ||
        outcome.signal !== undefined || outcome.exitCode !== 0;
      if (failed) reject(new HookFailed(kind, index, hook.path, outcome));
      else resolve();
    };

    const keep = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = outcome[stream] + chunk.toString('utf8');
      outcome[stream] = text.length > outputKeptBytes ? text.slice(-outputKeptBytes) : text;
    };
    child.stdout?.on('data', keep('stdout'));
    child.stderr?.on('data', keep('stderr'));

    child.on('error', (err) => {
      outcome.startError = err.message;
      settle();
    });

    child.on('exit', (code, signal) => {
      clearTimeout(timeoutTimer);
      if (code !== null) outcome.exitCode = code;
      if (signal !== null) outcome.signal = signal;
      drainTimer = setTimeout(settle, outputDrainGraceMs);
    });
    child.on('close', settle);

    // A hook that exits without reading its stdin must not fail the write (EPIPE): the state is
    // offered, not imposed.
    child.stdin?.on('error', () => {});
    child.stdin?.end(stateJson);

    const timeout = hook.timeout;
    if (timeout !== undefined) {
      timeoutTimer = setTimeout(() => {
        outcome.timedOutAfterSeconds = timeout;
        killGroup(child.pid);
      }, timeout * 1000);
    }
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
