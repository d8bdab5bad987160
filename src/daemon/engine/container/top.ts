// `GET /containers/{id}/top`: the container's processes (its cgroup's members), shown with the
// host's ps so that the columns are ps's own, as Docker does.
import { spawnSync } from 'node:child_process';
import { FailedPrecondition, InvalidArgument } from '../../../errors.js';
import type { ContainerContext } from './context.js';
import { runtimeFor } from './container-runtime.js';

export async function topContainer(ctx: ContainerContext, nameOrId: string, psArgs = '-ef'): Promise<{ Titles: string[]; Processes: string[][] }> {
  const record = ctx.store.get(nameOrId);
  if (record.state.status !== 'running' && record.state.status !== 'paused') {
    throw new FailedPrecondition(`container ${record.id} is not running`);
  }
  if (/[^\w\s,=-]/.test(psArgs)) throw new InvalidArgument(`invalid ps arguments: ${psArgs}`);
  const pids = new Set((await runtimeFor(ctx, record).processes(record.id)).map(String));
  const ps = spawnSync('ps', psArgs.split(/\s+/).filter(Boolean), { encoding: 'utf8' });
  if (ps.status !== 0) throw new InvalidArgument(`ps ${psArgs}: ${ps.stderr.trim()}`);
  const [header = '', ...lines] = ps.stdout.trimEnd().split('\n');
  const titles = header.trim().split(/\s+/);
  const pidColumn = titles.indexOf('PID');
  if (pidColumn < 0) throw new InvalidArgument(`ps ${psArgs}: no PID column in its output`);
  const processes = lines
    .map((line) => {
      // The last column (the command) may contain spaces.
      const fields = line.trim().split(/\s+/);
      return [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
    })
    .filter((fields) => pids.has(fields[pidColumn]!));
  return { Titles: titles, Processes: processes };
}
