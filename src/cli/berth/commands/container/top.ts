// berth top CONTAINER [ps OPTIONS]: the daemon's ps output as a table.
import type { CommandDefinition } from '../../command.js';
import { tabulate } from '../../format/tabwriter.js';

export const top: CommandDefinition = {
  name: 'top',
  usage: 'top CONTAINER [ps OPTIONS]',
  description: 'Display the running processes of a container',
  interspersed: false,
  args: { min: 1 },
  flags: {},
  async run(ctx, { positionals }) {
    const [name, ...psArgs] = positionals as [string, ...string[]];
    const client = await ctx.client();
    const top = await client.json<{ Titles: string[]; Processes: string[][] }>('GET', `/containers/${encodeURIComponent(name)}/top`, {
      query: { ps_args: psArgs.length ? psArgs.join(' ') : undefined },
    });
    const lines = [top.Titles.join('\t'), ...top.Processes.map((p) => p.join('\t'))];
    ctx.stdout.write(tabulate(lines.join('\n') + '\n', { minWidth: 20, padding: 3 }));
  },
};
