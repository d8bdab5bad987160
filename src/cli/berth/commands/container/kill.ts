// berth kill [-s SIGNAL]
import { forEachName, type CommandDefinition } from '../../command.js';
import { str } from '../../options.js';

export const kill: CommandDefinition = {
  name: 'kill',
  usage: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  args: { min: 1 },
  flags: { signal: { type: 'string', short: 's', description: 'Signal to send to the container' } },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    return forEachName(ctx, positionals, async (name) => {
      await client.json('POST', `/containers/${encodeURIComponent(name)}/kill`, { query: { signal: str(values, 'signal') } });
      ctx.stdout.write(`${name}\n`);
    });
  },
};
