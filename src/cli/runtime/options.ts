// Command-line parsing for berth-runtime, on node:util's parseArgs: runc's global flags before
// the command, then each command's own flags and positionals.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../exit.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCommand(command: string, args: string[], options: OptionSpec, stopAfterFirstPositional = false): ParsedCommand {
  // `exec [flags] <id> <cmd> [args...]`: what follows the id is the command, flags included.
  const split = stopAfterFirstPositional ? firstPositionalIndex(args, options) + 1 : args.length;
  try {
    const { values, positionals } = parseArgs({ args: args.slice(0, split), options, allowPositionals: true, strict: true });
    return { values: values as ParsedCommand['values'], positionals: [...positionals, ...args.slice(split)] };
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
}

/** The index of the first argument that is neither a flag nor a flag's value. */
function firstPositionalIndex(args: string[], options: OptionSpec): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return i;
    if (!arg.startsWith('-') || arg === '-') return i;
    const long = arg.startsWith('--');
    const spec = long ? options[arg.slice(2).split('=')[0]!] : Object.values(options).find((o) => o.short === arg[1]);
    const valueAttached = long ? arg.includes('=') : arg.length > 2;
    if (spec?.type === 'string' && !valueAttached) i++;
  }
  return args.length;
}

export function requireId(command: string, positionals: string[]): string {
  const id = positionals[0];
  if (!id) throw new UsageError(`${command}: a container id is required`);
  return id;
}

export function stringValue(values: ParsedCommand['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
