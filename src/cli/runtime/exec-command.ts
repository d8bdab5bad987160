// exec: a new process in a running container, from flags or from a process.json (--process).
import { readFile } from 'node:fs/promises';
import type { Runtime } from '../../runtime/runtime.js';
import type { Process } from '../../runtime/spec/types.js';
import { validateProcess } from '../../runtime/spec/validate.js';
import { UsageError } from '../exit.js';
import { forwardSignals } from './lifecycle-commands.js';
import { parseCommand, requireId, stringValue, type ParsedCommand } from './options.js';

const execOptions = {
  process: { type: 'string', short: 'p' },
  'console-socket': { type: 'string' },
  'pid-file': { type: 'string' },
  detach: { type: 'boolean', short: 'd' },
  tty: { type: 'boolean', short: 't' },
  cwd: { type: 'string' },
  env: { type: 'string', short: 'e', multiple: true },
  user: { type: 'string', short: 'u' },
  'additional-gids': { type: 'string', short: 'g', multiple: true },
  cap: { type: 'string', short: 'c', multiple: true },
  'no-new-privs': { type: 'boolean' },
} as const;

export async function exec(runtime: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand('exec', args, execOptions, true);
  const id = requireId('exec', positionals);
  const processFile = stringValue(values, 'process');
  const process = processFile
    ? validateProcess(JSON.parse(await readFile(processFile, 'utf8')), processFile)
    : processFromFlags(values, positionals.slice(1), (await runtime.containerSpec(id)).process);
  const init = await runtime.exec(id, {
    process,
    consoleSocket: stringValue(values, 'console-socket'),
    pidFile: stringValue(values, 'pid-file'),
    detach: values.detach === true,
  });
  if (values.detach) return 0;
  forwardSignals(init);
  return (await init.wait())?.exitCode ?? 1;
}

/** runc's rules: the container's process, with the command, env added, and each flag applied. */
function processFromFlags(values: ParsedCommand['values'], command: string[], base: Process | undefined): Partial<Process> {
  if (command.length === 0) throw new UsageError('exec: a command to run is required (or --process FILE)');
  const process: Partial<Process> = { args: command, env: [...(base?.env ?? []), ...((values.env as string[] | undefined) ?? [])] };
  const cwd = stringValue(values, 'cwd');
  if (cwd) process.cwd = cwd;
  process.terminal = values.tty === true;
  const user = stringValue(values, 'user');
  const gids = (values['additional-gids'] as string[] | undefined) ?? [];
  if (user || gids.length) {
    const [uid, gid] = (user ?? '').split(':');
    process.user = {
      uid: user ? numberOf(uid, '--user') : base?.user.uid ?? 0,
      gid: gid !== undefined ? numberOf(gid, '--user') : user ? 0 : base?.user.gid ?? 0,
      additionalGids: gids.map((g) => numberOf(g, '--additional-gids')),
    };
  }
  const caps = (values.cap as string[] | undefined) ?? [];
  if (caps.length && base?.capabilities) {
    const add = (list: string[] | undefined) => [...new Set([...(list ?? []), ...caps])];
    const c = base.capabilities;
    process.capabilities = { bounding: add(c.bounding), effective: add(c.effective), permitted: add(c.permitted), inheritable: c.inheritable, ambient: add(c.ambient) };
  }
  if (values['no-new-privs']) process.noNewPrivileges = true;
  return process;
}

function numberOf(text: string | undefined, flag: string): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new UsageError(`exec: ${flag}: "${text ?? ''}" is not a numeric id (names are not resolved)`);
  return Number(text);
}
