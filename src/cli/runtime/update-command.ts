// update: new limits for a running container, from a JSON file of linux.resources (-r, "-" for
// stdin) and/or runc's flags, which override the file field by field.
import { readFileSync } from 'node:fs';
import type { Runtime } from '../../runtime/runtime.js';
import type { Resources } from '../../runtime/spec/types.js';
import { mergeResources } from '../../runtime/container/update.js';
import { UsageError } from '../exit.js';
import { parseCommand, requireId, stringValue } from './options.js';

const updateOptions = {
  resources: { type: 'string', short: 'r' },
  memory: { type: 'string' },
  'memory-reservation': { type: 'string' },
  'memory-swap': { type: 'string' },
  'cpu-shares': { type: 'string' },
  'cpu-share': { type: 'string' },
  'cpu-quota': { type: 'string' },
  'cpu-period': { type: 'string' },
  'cpuset-cpus': { type: 'string' },
  'cpuset-mems': { type: 'string' },
  'pids-limit': { type: 'string' },
  'blkio-weight': { type: 'string' },
} as const;

export async function update(runtime: Runtime, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand('update', args, updateOptions);
  const id = requireId('update', positionals);
  const file = stringValue(values, 'resources');
  let resources: Resources = {};
  if (file) {
    try {
      resources = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8')) as Resources;
    } catch (err) {
      throw new UsageError(`update: --resources ${file}: ${(err as Error).message}`);
    }
    if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) {
      throw new UsageError(`update: --resources ${file}: expected a JSON object of linux.resources`);
    }
  }
  resources = mergeResources(resources, resourcesFromFlags(values));
  if (Object.keys(resources).length === 0) throw new UsageError('update: nothing to change: give --resources or a limit flag');
  await runtime.update(id, resources);
  return 0;
}

function resourcesFromFlags(values: Record<string, unknown>): Resources {
  const flag = (name: string) => stringValue(values as never, name);
  const resources: Resources = {};
  const memory: NonNullable<Resources['memory']> = {};
  const cpu: NonNullable<Resources['cpu']> = {};
  const set = <T extends object>(target: T, key: keyof T, text: string | undefined, parse: (t: string, f: string) => unknown, name: string) => {
    if (text !== undefined) (target as Record<keyof T, unknown>)[key] = parse(text, name);
  };
  set(memory, 'limit', flag('memory'), bytes, '--memory');
  set(memory, 'reservation', flag('memory-reservation'), bytes, '--memory-reservation');
  set(memory, 'swap', flag('memory-swap'), bytes, '--memory-swap');
  set(cpu, 'shares', flag('cpu-shares') ?? flag('cpu-share'), integer, '--cpu-shares');
  set(cpu, 'quota', flag('cpu-quota'), integer, '--cpu-quota');
  set(cpu, 'period', flag('cpu-period'), integer, '--cpu-period');
  set(cpu, 'cpus', flag('cpuset-cpus'), (t) => t, '--cpuset-cpus');
  set(cpu, 'mems', flag('cpuset-mems'), (t) => t, '--cpuset-mems');
  if (Object.keys(memory).length) resources.memory = memory;
  if (Object.keys(cpu).length) resources.cpu = cpu;
  const pids = flag('pids-limit');
  if (pids !== undefined) resources.pids = { limit: integer(pids, '--pids-limit') };
  const weight = flag('blkio-weight');
  if (weight !== undefined) resources.blockIO = { weight: integer(weight, '--blkio-weight') };
  return resources;
}

function integer(text: string, flag: string): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`update: ${flag}: "${text}" is not an integer`);
  return Number(text);
}

const units: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "512m", "1g", "1048576", "-1" (no limit): sizes as runc and docker accept them. */
export function bytes(text: string, flag: string): number {
  if (text === '-1') return -1;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?$/i.exec(text.trim());
  if (!match) throw new UsageError(`update: ${flag}: "${text}" is not a size (examples: 1048576, 512m, 1g)`);
  return Math.round(Number(match[1]) * units[match[2]!.toLowerCase()]!);
}
