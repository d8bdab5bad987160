// berth restart [-t SECONDS] [-s SIGNAL]
import { forEachName, type CommandDefinition } from '../../command.js';
import { int, str } from '../../options.js';

export const restart: CommandDefinition = {
  name: 'restart',
  usage: 'restart [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
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
      await client.json('POST', `/containers/${encodeURIComponent(name)}/restart`, { query: { t, signal: str(values, 'signal') } });
      ctx.stdout.write(`${name}\n`);
    });
  },
};
