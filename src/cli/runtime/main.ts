// berth-runtime: berth's OCI runtime as a command, with runc's command line, so that anything
// that drives runc (containerd, Docker's --runtime, scripts) can drive berth-runtime.
import { parseArgs } from 'node:util';
import { appendFileSync } from 'node:fs';
import { Runtime, defaultRuntimeRoot } from '../../runtime/runtime.js';
import { ContainerSetupError } from '../../runtime/process/init-process.js';
import { describeError, UsageError } from '../exit.js';
import { commands, usage } from './commands.js';

/** runc's global flags. --systemd-cgroup is refused: berth drives cgroupfs only. */
const globalOptions = {
  root: { type: 'string' },
  log: { type: 'string' },
  'log-format': { type: 'string' },
  debug: { type: 'boolean' },
  'systemd-cgroup': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export async function main(argv: string[]): Promise<number> {
  let log: { path: string; json: boolean } | undefined;
  try {
    const { values, tokens } = parseArgs({ args: argv, options: globalOptions, allowPositionals: true, strict: false, tokens: true });
    const commandToken = tokens.find((t) => t.kind === 'positional');
    if (values.log) log = { path: String(values.log), json: values['log-format'] === 'json' };
    if (values.version && !commandToken) {
      process.stdout.write('berth-runtime version 0.1.0\nspec: 1.2.0\n');
      return 0;
    }
    if (!commandToken || values.help) {
      process.stdout.write(usage());
      return commandToken ? 0 : 1;
    }
    const globalArgs = argv.slice(0, commandToken.index);
    // parseArgs in non-strict mode accepted anything before the command; check those strictly.
    parseArgs({ args: globalArgs, options: globalOptions, strict: true });
    if (values['systemd-cgroup']) throw new UsageError('--systemd-cgroup: berth-runtime manages cgroups through cgroupfs only');
    const command = commands[commandToken.value];
    if (!command) throw new UsageError(`unknown command "${commandToken.value}"; run berth-runtime --help`);
    const runtime = new Runtime({ root: typeof values.root === 'string' ? values.root : defaultRuntimeRoot });
    return await command(runtime, argv.slice(commandToken.index + 1));
  } catch (err) {
    const message = describeError(err);
    process.stderr.write(`berth-runtime: ${message}\n`);
    if (log) writeLog(log, message);
    // Like a shell (and Docker), a program that cannot be found or run exits 127 or 126.
    return err instanceof ContainerSetupError && (err.exitStatus === 126 || err.exitStatus === 127) ? err.exitStatus : 1;
  }
}

/** containerd reads runc's --log file (json) to explain a failure; write the same shape. */
function writeLog(log: { path: string; json: boolean }, message: string): void {
  const time = new Date().toISOString();
  const line = log.json ? JSON.stringify({ level: 'error', msg: message, time }) : `time="${time}" level=error msg="${message}"`;
  try {
    appendFileSync(log.path, `${line}\n`);
  } catch {
    /* the log is a courtesy; the error went to stderr already */
  }
}
