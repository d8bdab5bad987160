// berth ps [-a] [-q] [-n N] [-l] [--filter k=v] [--no-trunc] [--format F] [-s]
import type { CommandDefinition } from '../../command.js';
import { bool, int, list, str } from '../../options.js';
import { containerHeaders, containerRow, defaultPsFormat, defaultPsSizeFormat, type ContainerSummary } from '../../format/containers.js';
import { renderList } from '../../format/render.js';
import { filtersQuery } from '../filters.js';

export const ps: CommandDefinition = {
  name: 'ps',
  aliases: ['ls', 'list'],
  usage: 'ps [OPTIONS]',
  description: 'List containers',
  args: { max: 0 },
  flags: {
    all: { type: 'boolean', short: 'a', description: 'Show all containers (default shows just running)' },
    filter: { type: 'list', short: 'f', valueName: 'filter', description: 'Filter output based on conditions provided' },
    format: { type: 'string', description: 'Format output using a custom template' },
    last: { type: 'string', short: 'n', valueName: 'int', description: 'Show n last created containers (includes all states)' },
    latest: { type: 'boolean', short: 'l', description: 'Show the latest created container (includes all states)' },
    'no-trunc': { type: 'boolean', description: "Don't truncate output" },
    quiet: { type: 'boolean', short: 'q', description: 'Only display container IDs' },
    size: { type: 'boolean', short: 's', description: 'Display total file sizes' },
  },
  async run(ctx, { values }) {
    const client = await ctx.client();
    const last = int(values, 'last') ?? (bool(values, 'latest') ? 1 : undefined);
    let format = str(values, 'format') ?? '';
    const quiet = bool(values, 'quiet');
    if (quiet && !format) format = '{{.ID}}';
    if (!format) format = bool(values, 'size') ? defaultPsSizeFormat : defaultPsFormat;
    const size = bool(values, 'size') || /\.Size\b/.test(format);
    const containers = await client.json<ContainerSummary[]>('GET', '/containers/json', {
      query: { all: bool(values, 'all'), limit: last !== undefined && last > 0 ? last : undefined, size, filters: filtersQuery(list(values, 'filter')) },
    });
    const trunc = !bool(values, 'no-trunc');
    ctx.stdout.write(renderList(format, containers.map((c) => containerRow(c, trunc)), containerHeaders));
  },
};
