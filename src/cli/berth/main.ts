// berth: the docker-compatible command line. Global flags, the command lookup, and the one
// place failures become messages and exit statuses, as docker's: 125 for bad flags and for any
// failure of `run`; 1 for every other failure (daemon errors, no daemon, a wrong number of
// arguments); otherwise the status of the container or exec.
import { ApiError, DaemonUnreachable, type ApiClient } from '../../api/client.js';
import { UsageError } from '../exit.js';
import { ExitStatus, type CommandContext, type CommandDefinition } from './command.js';
import { findCommand, findGroupCommand, groups, topLevel } from './commands/index.js';
import { connect } from './daemon-connection.js';
import { describeFailure } from './errors.js';
import { bool, formatHelp, list, parseFlags, str, type FlagSpecs } from './options.js';
import { defaultConfigDir } from './registry-auth.js';
import { berthVersion } from './version.js';

const globalFlags: FlagSpecs = {
  config: { type: 'string', description: 'Location of client config files' },
  context: { type: 'string', short: 'c', description: 'Name of the context to use (only "default")', hidden: true },
  debug: { type: 'boolean', short: 'D', description: 'Enable debug mode' },
  host: { type: 'list', short: 'H', description: 'Daemon socket to connect to' },
  'log-level': { type: 'string', short: 'l', description: 'Set the logging level ("debug", "info", "warn", "error", "fatal")' },
  tls: { type: 'boolean', description: 'Use TLS; implied by --tlsverify' },
  tlscacert: { type: 'string', description: 'Trust certs signed only by this CA' },
  tlscert: { type: 'string', description: 'Path to TLS certificate file' },
  tlskey: { type: 'string', description: 'Path to TLS key file' },
  tlsverify: { type: 'boolean', description: 'Use TLS and verify the remote' },
  version: { type: 'boolean', short: 'v', description: 'Print version information and quit' },
};

export async function main(argv: string[]): Promise<number> {
  let commandPath = 'berth';
  try {
    const global = parseFlags('berth', argv, globalFlags, { interspersed: false });
    const values = global.values;
    if (bool(values, 'version')) {
      process.stdout.write(`berth version ${berthVersion}\n`);
      return 0;
    }
    const [first, ...rest] = global.positionals;
    if (!first || first === 'help') {
      process.stdout.write(usage());
      return 0;
    }
    let command: CommandDefinition | undefined;
    let args = rest;
    const group = groups[first];
    if (group) {
      const verb = rest[0];
      if (!verb || verb === '--help') {
        process.stdout.write(groupUsage(first));
        return 0;
      }
      command = findGroupCommand(group, verb);
      if (!command) throw new CommandLineError(`unknown command: berth ${first} ${verb}\n\nRun 'berth ${first} --help' for more information`);
      commandPath = `berth ${first} ${verb}`;
      args = rest.slice(1);
    } else {
      command = findCommand(topLevel, first);
      if (!command) throw new CommandLineError(`'${first}' is not a berth command.\nSee 'berth --help'`);
      commandPath = `berth ${command.name}`;
    }

    const hosts = list(values, 'host');
    if (hosts.length > 1) throw new UsageError('Specify only one -H');
    const parsed = parseFlags(commandPath, args, command.flags, { interspersed: command.interspersed ?? true });
    if (parsed.help) {
      process.stdout.write(formatHelp(`berth ${command.usage.startsWith(commandPath.replace(/^berth /, '').split(' ')[0]!) ? command.usage : command.usage}`, command.description, command.flags));
      return 0;
    }
    checkArgs(commandPath, command, parsed.positionals.length);

    let client: Promise<ApiClient> | undefined;
    const ctx: CommandContext = {
      client: () => (client ??= connect({
        host: hosts[0],
        tls: bool(values, 'tls'),
        tlsverify: bool(values, 'tlsverify'),
        tlscacert: str(values, 'tlscacert'),
        tlscert: str(values, 'tlscert'),
        tlskey: str(values, 'tlskey'),
      }, process.stderr)),
      configDir: str(values, 'config') ?? defaultConfigDir(),
      commandPath,
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
    };
    return (await command.run(ctx, parsed)) ?? 0;
  } catch (err) {
    return report(err, commandPath);
  }
}

/** An unknown command or a wrong number of arguments: docker exits 1 for these, not 125. */
class CommandLineError extends UsageError {}

/** The exit status of a failed command, as docker's CLI: 125 only for flags and for `run`. */
export function failureStatus(err: unknown, commandPath: string): number {
  if (err instanceof ExitStatus) return err.status;
  if (err instanceof CommandLineError) return 1;
  if (err instanceof UsageError) return 125;
  return /^berth (container )?run$/.test(commandPath) ? 125 : 1;
}

function report(err: unknown, commandPath: string): number {
  const status = failureStatus(err, commandPath);
  if (err instanceof ExitStatus) {
    if (err.message) process.stderr.write(`${err.message}\n`);
    return status;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`berth: ${err.message}\n`);
    if (!err.message.includes('--help')) process.stderr.write(`\nRun '${commandPath} --help' for more information\n`);
    return status;
  }
  const message = describeFailure(err);
  if (status === 125 && (err instanceof ApiError || err instanceof DaemonUnreachable)) {
    process.stderr.write(`berth: ${message}\n\nRun '${commandPath} --help' for more information\n`);
  } else {
    process.stderr.write(`${message}\n`);
  }
  return status;
}

function checkArgs(commandPath: string, command: CommandDefinition, count: number): void {
  const { min, max } = command.args ?? {};
  const usageLine = `\n\nUsage:  berth ${command.usage}\n\n${command.description.split('\n')[0]}`;
  if (min !== undefined && count < min) {
    const wording = min === max ? `exactly ${min} argument${min === 1 ? '' : 's'}` : `at least ${min} argument${min === 1 ? '' : 's'}`;
    throw new CommandLineError(`'${commandPath}' requires ${wording}${usageLine}\n\nSee '${commandPath} --help' for more information`);
  }
  if (max !== undefined && count > max) {
    const wording = max === 0 ? 'no arguments' : min === max ? `exactly ${max} argument${max === 1 ? '' : 's'}` : `at most ${max} argument${max === 1 ? '' : 's'}`;
    throw new CommandLineError(`'${commandPath}' ${max === 0 ? 'accepts' : 'requires'} ${wording}${usageLine}\n\nSee '${commandPath} --help' for more information`);
  }
}

function usage(): string {
  const width = Math.max(...topLevel.map((c) => c.name.length), ...Object.keys(groups).map((g) => g.length));
  const line = (name: string, description: string) => `  ${name.padEnd(width)}  ${description.split('\n')[0]}`;
  return `\nUsage:  berth [OPTIONS] COMMAND\n\nA container engine: a docker-compatible client for berthd\n\n`
    + `Management Commands:\n${Object.entries(groups).map(([name, g]) => line(name, g.description)).join('\n')}\n\n`
    + `Commands:\n${[...topLevel].sort((a, b) => a.name.localeCompare(b.name)).map((c) => line(c.name, c.description)).join('\n')}\n`
    + formatHelp('berth [OPTIONS] COMMAND', '', globalFlags).split('\n').slice(4).join('\n')
    + `\nRun 'berth COMMAND --help' for more information on a command.\n`;
}

function groupUsage(name: string): string {
  const group = groups[name]!;
  const width = Math.max(...group.commands.map((c) => (c === undefined ? 0 : listName(name, c).length)));
  return `\nUsage:  berth ${name} COMMAND\n\n${group.description}\n\nCommands:\n`
    + group.commands.map((c) => `  ${listName(name, c).padEnd(width)}  ${c.description.split('\n')[0]}`).join('\n')
    + `\n\nRun 'berth ${name} COMMAND --help' for more information on a command.\n`;
}

/** In the image group, `images` is `ls` and `rmi` is `rm`; in container, `ps` is `ls`. */
function listName(group: string, c: CommandDefinition): string {
  if ((group === 'image' && (c.name === 'images' || c.name === 'rmi')) || (group === 'container' && c.name === 'ps')) return c.aliases![0]!;
  return c.name;
}
