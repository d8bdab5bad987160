// berth network ls [--filter k=v] [--format F] [--no-trunc] [-q]: networks sorted by name.
import type { NetworkSummary } from '../../../../api/types/network.js';
import type { CommandDefinition } from '../../command.js';
import { renderList } from '../../format/render.js';
import { bool, list, str } from '../../options.js';
import { filtersQuery } from '../filters.js';
import { networkHeaders, networkListFormat, networkRow, sortNetworks } from './format.js';

export const networkLs: CommandDefinition = {
  name: 'ls',
  aliases: ['list'],
  usage: 'network ls [OPTIONS]',
  description: 'List networks',
  args: { max: 0 },
  flags: {
    filter: { type: 'list', short: 'f', valueName: 'filter', description: 'Provide filter values (e.g. "driver=bridge")' },
    format: { type: 'string', description: "Format output using a custom template ('table', 'table TEMPLATE', 'json' or 'TEMPLATE')" },
    'no-trunc': { type: 'boolean', description: 'Do not truncate the output' },
    quiet: { type: 'boolean', short: 'q', description: 'Only display network IDs' },
  },
  async run(ctx, { values }) {
    const filters = filtersQuery(list(values, 'filter'));
    const format = networkListFormat(str(values, 'format'), bool(values, 'quiet'));
    const client = await ctx.client();
    const networks = await client.json<NetworkSummary[] | null>('GET', '/networks', { query: { filters } });
    const trunc = !bool(values, 'no-trunc');
    ctx.stdout.write(renderList(format, sortNetworks(networks ?? []).map((n) => networkRow(n, trunc)), networkHeaders));
  },
};
