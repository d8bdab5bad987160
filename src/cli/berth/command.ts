// What every berth command is: its usage, flags and an action over the API client. Commands
// are thin: parse flags, call the API, print.
import type { ApiClient } from '../../api/client.js';
import type { FlagSpecs, ParsedFlags } from './options.js';

export interface CommandContext {
  /** The API client, connected (and the daemon started, when berth may do so). */
  client(): Promise<ApiClient>;
  /** The docker-style config directory (config.json with credentials). */
  configDir: string;
  /** "berth run", for messages. */
  commandPath: string;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

export interface CommandDefinition {
  name: string;
  aliases?: string[];
  /** After "berth ": "run [OPTIONS] IMAGE [COMMAND] [ARG...]". */
  usage: string;
  description: string;
  flags: FlagSpecs;
  /** false: flags end at the first positional (run, create, exec). */
  interspersed?: boolean;
  args?: { min?: number; max?: number };
  /** Returns the exit status (0 when undefined). */
  run(ctx: CommandContext, parsed: ParsedFlags): Promise<number | void>;
}

/** Ends the command with this exit status, after printing `message` (if any) to stderr. */
export class ExitStatus extends Error {
  constructor(readonly status: number, message = '') {
    super(message);
    this.name = 'ExitStatus';
  }
}

/**
 * Runs `action` for every name and prints each error as docker does (`Error response from
 * daemon: ...`), going on with the others; the exit status is 0 only if all succeeded, else 1
 * (docker's). `summary` names the failed ones in a last line, as docker start does.
 */
export async function forEachName(ctx: CommandContext, names: string[], action: (name: string) => Promise<void>,
  summary?: (failed: string[]) => string): Promise<number> {
  const failed: string[] = [];
  for (const name of names) {
    try {
      await action(name);
    } catch (err) {
      const { describeFailure } = await import('./errors.js');
      ctx.stderr.write(`${describeFailure(err)}\n`);
      failed.push(name);
    }
  }
  if (failed.length && summary) ctx.stderr.write(`${summary(failed)}\n`);
  return failed.length ? 1 : 0;
}
