// berth rename OLD NEW
import { UsageError } from '../../../exit.js';
import type { CommandDefinition } from '../../command.js';

export const rename: CommandDefinition = {
  name: 'rename',
  usage: 'rename CONTAINER NEW_NAME',
  description: 'Rename a container',
  args: { min: 2, max: 2 },
  flags: {},
  async run(ctx, { positionals }) {
    const [oldName, newName] = positionals.map((n) => n.trim()) as [string, string];
    if (!oldName || !newName) throw new UsageError('Neither old nor new names may be empty');
    const client = await ctx.client();
    await client.json('POST', `/containers/${encodeURIComponent(oldName)}/rename`, { query: { name: newName } });
  },
};
