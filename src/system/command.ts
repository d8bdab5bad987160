// Host tools berth runs where Node has no system call of its own (mount, ip, iptables, the CNI
// plugins): one place that runs a command and turns its failure into an error that says which
// command failed and what it printed.
import { execFile } from 'node:child_process';
import { Internal } from '../errors.js';

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin. */
  input?: string;
  /** The most stdout kept, in bytes (16 MiB unless said). */
  maxBuffer?: number;
}

export class CommandFailed extends Internal {
  constructor(readonly command: string, readonly stdout: string, readonly stderr: string, readonly exitCode: number | undefined, cause: unknown) {
    super(`${command}: ${stderr.trim() || (cause as Error).message}`, { cause });
  }
}

/** Runs `command` and resolves with its stdout; rejects with CommandFailed otherwise. */
export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { cwd: options.cwd, env: options.env, maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : undefined;
      reject(new CommandFailed(`${command} ${args.join(' ')}`, stdout, stderr, code, err));
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}
