// Docker's flag syntax (cobra/pflag): `--flag=value` and `--flag value`, short flags alone or
// in clusters (`-it`, `-dit`, `-p8080:80`), repeatable flags collected in order, booleans that
// take `--flag=false`, `--` ending the options, and for run/create/exec the options ending at
// the first positional (the image), so that the command's own flags are left alone.
import { UsageError } from '../exit.js';

export type FlagType = 'boolean' | 'string' | 'list';

export interface FlagSpec {
  type: FlagType;
  short?: string;
  description?: string;
  /** Shown in help: `-e, --env list`. */
  valueName?: string;
  default?: string | boolean;
  /** Accepted, but not shown in help. */
  hidden?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedFlags {
  values: FlagValues;
  positionals: string[];
  /** The flags the user gave, by long name, in order (for "was it set?" questions). */
  given: Set<string>;
  help: boolean;
}

export interface ParseOptions {
  /** false: options end at the first positional (docker's SetInterspersed(false)). */
  interspersed?: boolean;
}

export function parseFlags(command: string, args: string[], specs: FlagSpecs, options: ParseOptions = {}): ParsedFlags {
  const interspersed = options.interspersed ?? true;
  const values: FlagValues = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.short) byShort.set(spec.short, name);
    if (spec.type === 'list') values[name] = [];
    else if (spec.default !== undefined) values[name] = spec.default;
    else if (spec.type === 'boolean') values[name] = false;
  }
  const set = (name: string, value: string | boolean) => {
    const spec = specs[name]!;
    given.add(name);
    if (spec.type === 'list') (values[name] as string[]).push(String(value));
    else values[name] = value;
  };
  const unknown = (flag: string, letter?: string): never => {
    throw new UsageError(letter ? `unknown shorthand flag: '${letter}' in ${flag}` : `unknown flag: ${flag}`);
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = specs[name];
      if (!spec) {
        if (name === 'help') {
          help = true;
          continue;
        }
        unknown(`--${name}`);
      }
      if (spec!.type === 'boolean') {
        set(name, eq < 0 ? true : parseBool(name, arg.slice(eq + 1)));
      } else if (eq >= 0) {
        set(name, arg.slice(eq + 1));
      } else {
        if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: --${name}`);
        set(name, args[++i]!);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A cluster: booleans until a flag that takes a value, which takes the rest or the next.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const name = byShort.get(letter);
        if (!name) {
          if (letter === 'h' && !byShort.has('h')) {
            help = true;
            continue;
          }
          unknown(arg, letter);
        }
        const spec = specs[name!]!;
        if (spec.type === 'boolean') {
          if (arg[j + 1] === '=') {
            set(name!, parseBool(name!, arg.slice(j + 2)));
            break;
          }
          set(name!, true);
          continue;
        }
        let value = arg.slice(j + 1);
        if (value.startsWith('=')) value = value.slice(1);
        else if (value === '') {
          if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: '${letter}' in -${letter}`);
          value = args[++i]!;
        }
        set(name!, value);
        break;
      }
      continue;
    }
    positionals.push(arg);
    if (!interspersed) {
      positionals.push(...args.slice(i + 1));
      break;
    }
  }
  void command;
  return { values, positionals, given, help };
}

function parseBool(name: string, text: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false;
  throw new UsageError(`invalid argument "${text}" for "--${name}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`);
}

/** Typed accessors over parsed values. */
export function str(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(values: FlagValues, name: string): boolean {
  return values[name] === true;
}

export function list(values: FlagValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : [];
}

export function int(values: FlagValues, name: string): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** Docker's help layout: usage line, description, then the options. */
export function formatHelp(usage: string, description: string, specs: FlagSpecs, extra = ''): string {
  const rows = Object.entries(specs).filter(([, s]) => !s.hidden).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'boolean' ? '' : ` ${spec.valueName ?? (spec.type === 'list' ? 'list' : 'string')}`}`;
    return [flag, spec.description ?? ''] as const;
  });
  const width = Math.max(0, ...rows.map(([f]) => f.length));
  const options = rows.length ? `\nOptions:\n${rows.map(([f, d]) => `  ${f.padEnd(width)}   ${d}`.trimEnd()).join('\n')}\n` : '';
  return `\nUsage:  ${usage}\n\n${description}\n${extra}${options}`;
}
