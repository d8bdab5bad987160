// berth network prune [-f] [--filter k=v]: asks first (unless -f), then prints the networks
// removed under "Deleted Networks:" and a blank line, as docker does; "no" is not a failure.
import type { NetworksPruneReport } from '../../../../api/types/network.js';
import type { CommandDefinition } from '../../command.js';
import { bool, list } from '../../options.js';
import { filtersQuery } from '../filters.js';
import { confirm } from './confirm.js';

export const pruneWarning = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

export const networkPrune: CommandDefinition = {
  name: 'prune',
  usage: 'network prune [OPTIONS]',
  description: 'Remove all unused networks',
  args: { max: 0 },
  flags: {
    filter: { type: 'list', valueName: 'filter', description: 'Provide filter values (e.g. "until=<timestamp>")' },
    force: { type: 'boolean', short: 'f', description: 'Do not prompt for confirmation' },
  },
  async run(ctx, { values }) {
    const filters = filtersQuery(list(values, 'filter'));
    if (!bool(values, 'force') && !(await confirm(ctx, pruneWarning))) return 0;
    const client = await ctx.client();
    const report = await client.json<NetworksPruneReport>('POST', '/networks/prune', { query: { filters } });
    ctx.stdout.write(formatPruneReport(report));
  },
};

/** "Deleted Networks:\nn1\nn2\n\n", or nothing when nothing was removed. */
export function formatPruneReport(report: Partial<NetworksPruneReport> | undefined): string {
  const deleted = report?.NetworksDeleted ?? [];
  if (!deleted.length) return '';
  return `Deleted Networks:\n${deleted.map((name) => `${name}\n`).join('')}\n`;
}
