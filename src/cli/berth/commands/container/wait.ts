// berth wait: prints each container's exit status once it stops.
import { forEachName, type CommandDefinition } from '../../command.js';
import { waitStatus } from './attach-session.js';

export const wait: CommandDefinition = {
  name: 'wait',
  usage: 'wait CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  args: { min: 1 },
  flags: {},
  async run(ctx, { positionals }) {
    const client = await ctx.client();
    return forEachName(ctx, positionals, async (name) => {
      const response = await client.stream('POST', `/containers/${encodeURIComponent(name)}/wait`, { query: { condition: 'not-running' } });
      ctx.stdout.write(`${await waitStatus(response)}\n`);
    });
  },
};
