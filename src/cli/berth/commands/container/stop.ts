// berth stop and berth restart [-t SECONDS] [-s SIGNAL]: the same flags and the same answer
// (each name as given); only the endpoint differs.
import { forEachName, type CommandDefinition } from '../../command.js';
import { int, str } from '../../options.js';

function stopLike(verb: 'stop' | 'restart', description: string): CommandDefinition {
  return {
    name: verb,
    usage: `${verb} [OPTIONS] CONTAINER [CONTAINER...]`,
    description,
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
        await client.json('POST', `/containers/${encodeURIComponent(name)}/${verb}`, { query: { t, signal: str(values, 'signal') } });
        ctx.stdout.write(`${name}\n`);
      });
    },
  };
}

export const stop = stopLike('stop', 'Stop one or more running containers');
export const restart = stopLike('restart', 'Restart one or more containers');
