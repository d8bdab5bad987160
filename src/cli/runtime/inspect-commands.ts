// state, list, ps, events.
import { spawnSync } from 'node:child_process';
import type { Runtime } from '../../runtime/runtime.js';
import { UsageError } from '../exit.js';
import { parseCommand, requireId, stringValue } from './options.js';

export async function state(runtime: Runtime, args: string[]): Promise<number> {
  const id = requireId('state', parseCommand('state', args, {}).positionals);
  process.stdout.write(`${JSON.stringify(await runtime.state(id), null, 2)}\n`);
  return 0;
}

export async function list(runtime: Runtime, args: string[]): Promise<number> {
  const { values } = parseCommand('list', args, { format: { type: 'string', short: 'f' }, quiet: { type: 'boolean', short: 'q' } });
  const format = formatOf('list', values);
  const states = await runtime.list();
  if (values.quiet) process.stdout.write(states.map((s) => `${s.id}\n`).join(''));
  else if (format === 'json') process.stdout.write(`${JSON.stringify(states)}\n`);
  else {
    const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'],
      ...states.map((s) => [s.id, String(s.pid ?? 0), s.status, s.bundle, s.created, s.owner || 'root'])];
    process.stdout.write(table(rows));
  }
  return 0;
}

export async function ps(runtime: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand('ps', args, { format: { type: 'string', short: 'f' } }, true);
  const id = requireId('ps', positionals);
  const pids = await runtime.processes(id);
  if (formatOf('ps', values) === 'json') {
    process.stdout.write(`${JSON.stringify(pids)}\n`);
    return 0;
  }
  // As runc: the host's ps with the given options (default -ef), keeping the container's lines.
  const psArgs = positionals.length > 1 ? positionals.slice(1) : ['-ef'];
  const result = spawnSync('ps', psArgs, { encoding: 'utf8' });
  if (result.status !== 0) throw new UsageError(`ps ${psArgs.join(' ')}: ${result.stderr.trim() || 'failed'}`);
  const [header = '', ...lines] = result.stdout.split('\n');
  const pidColumn = header.trim().split(/\s+/).indexOf('PID');
  if (pidColumn < 0) throw new UsageError(`ps ${psArgs.join(' ')}: its output has no PID column`);
  const wanted = new Set(pids.map(String));
  process.stdout.write([header, ...lines.filter((l) => wanted.has(l.trim().split(/\s+/)[pidColumn] ?? ''))].join('\n') + '\n');
  return 0;
}

export async function events(runtime: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand('events', args, { stats: { type: 'boolean' }, interval: { type: 'string' } });
  const id = requireId('events', positionals);
  if (values.stats) {
    process.stdout.write(`${JSON.stringify(await runtime.stats(id))}\n`);
    return 0;
  }
  const seconds = Number((stringValue(values, 'interval') ?? '5s').replace(/s$/, ''));
  if (!(seconds > 0)) throw new UsageError(`events: --interval "${stringValue(values, 'interval')}" is not a positive duration`);
  // Until the container stops, a sample every interval.
  for (;;) {
    const status = (await runtime.state(id)).status;
    if (status === 'stopped') return 0;
    process.stdout.write(`${JSON.stringify(await runtime.stats(id))}\n`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
  }
}

function formatOf(command: string, values: Record<string, unknown>): 'table' | 'json' {
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`${command}: --format must be "table" or "json"`);
  return format;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n';
}
