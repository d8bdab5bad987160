// berth stop [-t SECONDS] [-s SIGNAL]: prints each name as given.
import { forEachName, type CommandDefinition } from '../../command.js';
import { int, str } from '../../options.js';

export const stop: CommandDefinition = {
  name: 'stop',
  usage: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  args: { min: 1 },
  flags: {
    signal: { type: 'string', short: 's', description: 'Signal to send to the container' },
    timeout: { type: 'string', short: 't', valueName: 'int', description: 'Seconds to wait before killing the container' },
    time: { type: 'string', valueName: 'int', hidden: true, description: 'Seconds to wait before killing the container (deprecated: use --timeout)' },
  },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    const t = int(values, 'timeout') ?? int(values, 'time');
    return forEachName(ctx, positionals, async (name) => {
      await client.json('POST', `/containers/${encodeURIComponent(name)}/stop`, { query: { t, signal: str(values, 'signal') } });
      ctx.stdout.write(`${name}\n`);
    });
  },
};
