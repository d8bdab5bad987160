// create, start, run, kill, delete, pause, resume.
import type { Runtime } from '../../runtime/runtime.js';
import type { InitProcess } from '../../runtime/process/init-process.js';
import { parseCommand, requireId, stringValue, type OptionSpec } from './options.js';

const createOptions: OptionSpec = {
  bundle: { type: 'string', short: 'b' },
  'console-socket': { type: 'string' },
  'pid-file': { type: 'string' },
  // Accepted for runc compatibility; berth-runtime always pivots and joins no keyring.
  'no-pivot': { type: 'boolean' },
  'no-new-keyring': { type: 'boolean' },
};

function createArguments(command: string, args: string[], extra: OptionSpec = {}) {
  const { values, positionals } = parseCommand(command, args, { ...createOptions, ...extra });
  return {
    id: requireId(command, positionals),
    values,
    options: {
      bundle: stringValue(values, 'bundle') ?? '.',
      consoleSocket: stringValue(values, 'console-socket'),
      pidFile: stringValue(values, 'pid-file'),
    },
  };
}

export async function create(runtime: Runtime, args: string[]): Promise<number> {
  const { id, options } = createArguments('create', args);
  await runtime.create(id, options);
  return 0;
}

export async function start(runtime: Runtime, args: string[]): Promise<number> {
  const { positionals } = parseCommand('start', args, {});
  warnAll('poststart', await runtime.start(requireId('start', positionals)));
  return 0;
}

export async function run(runtime: Runtime, args: string[]): Promise<number> {
  const { id, values, options } = createArguments('run', args, { detach: { type: 'boolean', short: 'd' }, keep: { type: 'boolean' } });
  if (values.detach) {
    await runtime.create(id, options);
    warnAll('poststart', await runtime.start(id));
    return 0;
  }
  const result = await runtime.run(id, { ...options, onStart: forwardSignals });
  return result.exitCode;
}

/** While berth-runtime waits in the foreground, the signals it gets are meant for the container. */
export function forwardSignals(init: InitProcess): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const) {
    process.on(signal, () => {
      try {
        process.kill(init.pid, signal);
      } catch {
        /* it has exited */
      }
    });
  }
}

export async function kill(runtime: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand('kill', args, { all: { type: 'boolean', short: 'a' } });
  await runtime.kill(requireId('kill', positionals), positionals[1] ?? 'SIGTERM', { all: values.all === true });
  return 0;
}

export async function remove(runtime: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand('delete', args, { force: { type: 'boolean', short: 'f' } });
  warnAll('poststop', await runtime.delete(requireId('delete', positionals), { force: values.force === true }));
  return 0;
}

export async function pause(runtime: Runtime, args: string[]): Promise<number> {
  await runtime.pause(requireId('pause', parseCommand('pause', args, {}).positionals));
  return 0;
}

export async function resume(runtime: Runtime, args: string[]): Promise<number> {
  await runtime.resume(requireId('resume', parseCommand('resume', args, {}).positionals));
  return 0;
}

/** Failed poststart/poststop hooks do not fail the command (runtime-spec); they are reported. */
function warnAll(kind: string, failures: Error[]): void {
  for (const failure of failures) process.stderr.write(`berth-runtime: warning: ${kind} hook: ${failure.message}\n`);
}
