// berth rm [-f] [-v]
import { forEachName, type CommandDefinition } from '../../command.js';
import { bool } from '../../options.js';

export const rm: CommandDefinition = {
  name: 'rm',
  aliases: ['remove'],
  usage: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  args: { min: 1 },
  flags: {
    force: { type: 'boolean', short: 'f', description: 'Force the removal of a running container (uses SIGKILL)' },
    link: { type: 'boolean', short: 'l', description: 'Remove the specified link' },
    volumes: { type: 'boolean', short: 'v', description: 'Remove anonymous volumes associated with the container' },
  },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    return forEachName(ctx, positionals, async (name) => {
      await client.json('DELETE', `/containers/${encodeURIComponent(name.replace(/^\//, ''))}`, {
        query: { force: bool(values, 'force'), v: bool(values, 'volumes'), link: bool(values, 'link') },
      });
      ctx.stdout.write(`${name}\n`);
    });
  },
};
