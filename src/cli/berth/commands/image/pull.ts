// berth pull [--platform] [-q] [-a] NAME[:TAG|@DIGEST]: progress as docker draws it, then the
// canonical name.
import type { CommandDefinition } from '../../command.js';
import { bool, str } from '../../options.js';
import { pullImage } from '../../image-pull.js';
import { parseReference } from '../../../../images/reference.js';

export const pull: CommandDefinition = {
  name: 'pull',
  usage: 'pull [OPTIONS] NAME[:TAG|@DIGEST]',
  description: 'Download an image from a registry',
  args: { min: 1, max: 1 },
  flags: {
    'all-tags': { type: 'boolean', short: 'a', description: 'Download all tagged images in the repository' },
    'disable-content-trust': { type: 'boolean', default: true, description: 'Skip image verification', hidden: true },
    platform: { type: 'string', description: 'Set platform if server is multi-platform capable' },
    quiet: { type: 'boolean', short: 'q', description: 'Suppress verbose output' },
  },
  async run(ctx, { values, positionals }) {
    const image = positionals[0]!;
    const ref = parseReference(image);
    const quiet = bool(values, 'quiet');
    const allTags = bool(values, 'all-tags');
    if (!allTags && ref.tag === undefined && ref.digest === undefined && !quiet) ctx.stdout.write('Using default tag: latest\n');
    const client = await ctx.client();
    const name = await pullImage(client, ctx.configDir, image, { platform: str(values, 'platform'), out: quiet ? undefined : ctx.stdout, allTags });
    ctx.stdout.write(`${name}\n`);
  },
};
