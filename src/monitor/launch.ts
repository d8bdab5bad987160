// The command line of berth-monitor, which the runtime starts in place of berth-init when
// given as `launcher` (CreateOptions, ExecOptions). Every path is decided here, by berthd;
// the monitor decides nothing. The runtime appends berth-init's path after the final "--".
import type { Launcher } from '../runtime/process/init-process.js';
import { hostMounter } from '../system/mounter.js';

export interface MonitorOptions {
  /** The unix socket the monitor serves (it must not exist yet). */
  socketPath: string;
  /** The json-file log; no log when absent (output then only goes to attached clients). */
  logPath?: string | undefined;
  /** Rotate when the log would grow past this many bytes (0 or absent: never). */
  logMaxSize?: number | undefined;
  /** How many files the log may span, the current one included (Docker's max-file). */
  logMaxFiles?: number | undefined;
  /** Where the exit status is written when the container exits. */
  exitFile?: string | undefined;
  /** cgroup v1 memory.oom_control or v2 memory.events: "oom_kill N" there means OOM-killed. */
  oomFile?: string | undefined;
  /** Give the container a stdin pipe (else /dev/null). */
  stdin?: boolean | undefined;
  /** The container has a pty, whose master berth-init sends to consoleSocketPath. */
  tty?: boolean | undefined;
  /** Where the monitor receives the pty master: pass the same path as the runtime's consoleSocket. */
  consoleSocketPath?: string | undefined;
}

/** berth-monitor's arguments, ending with "--" (berth-init's path follows). */
export function monitorArgs(options: MonitorOptions): string[] {
  const args = ['--socket', options.socketPath];
  if (options.logPath) {
    args.push('--log', options.logPath);
    if (options.logMaxSize && options.logMaxSize > 0) args.push('--log-max-size', String(Math.floor(options.logMaxSize)));
    if (options.logMaxFiles && options.logMaxFiles > 0) args.push('--log-max-files', String(Math.floor(options.logMaxFiles)));
  }
  if (options.exitFile) args.push('--exit-file', options.exitFile);
  if (options.oomFile) args.push('--oom-file', options.oomFile);
  if (options.stdin) args.push('--stdin');
  if (options.tty) {
    if (!options.consoleSocketPath) throw new Error('a tty monitor needs consoleSocketPath');
    args.push('--tty', '--console-socket', options.consoleSocketPath);
  }
  args.push('--');
  return args;
}

/**
 * A launcher for the runtime's create or exec: the monitor, which then runs berth-init. It is
 * started by berth-mounter (src/system/mounter.ts), not forked from this process.
 */
export function monitorLauncher(binary: string, options: MonitorOptions): Launcher {
  return { binary, args: monitorArgs(options), spawner: (argv) => hostMounter().spawnDetached(argv) };
}

/**
 * The monitor's arguments when it runs a runc-compatible runtime's command (`create`, or
 * `exec --detach`) instead of berth-init: the launcher's own, with --runtime-command, then
 * the command's whole argv. The monitor then waits for one byte on fd 3 before running it,
 * and reports its wait status there (see native/monitor/main.c).
 */
export function runtimeCommandArgs(launcher: Launcher, command: string[]): string[] {
  if (launcher.args[launcher.args.length - 1] !== '--') throw new Error('the launcher\'s arguments must end with "--"');
  if (command.length === 0) throw new Error('no runtime command');
  return [...launcher.args.slice(0, -1), '--runtime-command', '--', ...command];
}
