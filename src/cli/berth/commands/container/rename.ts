// berth rename OLD NEW
import { UsageError } from '../../../exit.js';
import { ExitStatus, type CommandDefinition } from '../../command.js';
import { describeFailure } from '../../errors.js';

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
    try {
      await client.json('POST', `/containers/${encodeURIComponent(oldName)}/rename`, { query: { name: newName } });
    } catch (err) {
      ctx.stderr.write(`${describeFailure(err)}\n`);
      throw new ExitStatus(1, `Error: failed to rename container named ${oldName}`);
    }
  },
};
