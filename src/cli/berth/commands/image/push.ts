// berth push NAME[:TAG]: progress as docker draws it; the stored login goes along.
import type { CommandDefinition } from '../../command.js';
import { bool } from '../../options.js';
import { displayJsonMessages, type JsonMessage } from '../../progress.js';
import { registryAuthHeader } from '../../registry-auth.js';
import { parseReference, repositoryName } from '../../../../images/reference.js';

export const push: CommandDefinition = {
  name: 'push',
  usage: 'push [OPTIONS] NAME[:TAG]',
  description: 'Upload an image to a registry',
  args: { min: 1, max: 1 },
  flags: {
    'all-tags': { type: 'boolean', short: 'a', description: 'Push all tags of an image to the repository' },
    'disable-content-trust': { type: 'boolean', default: true, description: 'Skip image signing', hidden: true },
    platform: { type: 'string', description: 'Push a platform-specific manifest as a single-platform image' },
    quiet: { type: 'boolean', short: 'q', description: 'Suppress verbose output' },
  },
  async run(ctx, { values, positionals }) {
    const image = positionals[0]!;
    const ref = parseReference(image);
    const allTags = bool(values, 'all-tags');
    const quiet = bool(values, 'quiet');
    let tag = ref.tag;
    if (!allTags && tag === undefined && ref.digest === undefined) {
      if (!quiet) ctx.stdout.write('Using default tag: latest\n');
      tag = 'latest';
    }
    const client = await ctx.client();
    const messages = client.messages<JsonMessage>('POST', `/images/${repositoryName(ref)}/push`, {
      query: { tag: ref.digest ?? tag },
      headers: registryAuthHeader(ctx.configDir, image),
    });
    await displayJsonMessages(messages, quiet ? ({ write: () => true, isTTY: false } as unknown as NodeJS.WriteStream) : ctx.stdout);
    if (quiet) ctx.stdout.write(`${image}\n`);
  },
};
