// berth tag SOURCE TARGET
import type { CommandDefinition } from '../../command.js';
import { UsageError } from '../../../exit.js';
import { parseReference, repositoryName, withDefaultTag } from '../../../../images/reference.js';

export const tag: CommandDefinition = {
  name: 'tag',
  usage: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  args: { min: 2, max: 2 },
  flags: {},
  async run(ctx, { positionals }) {
    const [source, target] = positionals as [string, string];
    const ref = withDefaultTag(parseReference(target));
    if (ref.digest) throw new UsageError('refusing to create a tag with a digest reference');
    const client = await ctx.client();
    await client.json('POST', `/images/${encodeURIComponent(source)}/tag`, { query: { repo: repositoryName(ref), tag: ref.tag } });
  },
};
