// berth rmi [-f] [--no-prune] IMAGE...: prints what was untagged and deleted.
import { forEachName, type CommandDefinition } from '../../command.js';
import { bool } from '../../options.js';

export const rmi: CommandDefinition = {
  name: 'rmi',
  aliases: ['rm', 'remove'],
  usage: 'rmi [OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  args: { min: 1 },
  flags: {
    force: { type: 'boolean', short: 'f', description: 'Force removal of the image' },
    'no-prune': { type: 'boolean', description: 'Do not delete untagged parents' },
  },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    return forEachName(ctx, positionals, async (name) => {
      const deleted = await client.json<{ Untagged?: string; Deleted?: string }[]>('DELETE', `/images/${encodeURIComponent(name)}`, {
        query: { force: bool(values, 'force'), noprune: bool(values, 'no-prune') },
      });
      for (const entry of deleted ?? []) {
        if (entry.Untagged) ctx.stdout.write(`Untagged: ${entry.Untagged}\n`);
        if (entry.Deleted) ctx.stdout.write(`Deleted: ${entry.Deleted}\n`);
      }
    });
  },
};
