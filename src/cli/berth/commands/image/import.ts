// berth import [-c CHANGE] [-m MESSAGE] file|URL|- [REPOSITORY[:TAG]]: a root filesystem tar
// as a one-layer image; prints its id.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { CommandDefinition } from '../../command.js';
import { list, str } from '../../options.js';
import { displayJsonMessages, type JsonMessage } from '../../progress.js';
import { parseReference, repositoryName } from '../../../../images/reference.js';

export const importImage: CommandDefinition = {
  name: 'import',
  usage: 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball to create a filesystem image',
  args: { min: 1, max: 2 },
  flags: {
    change: { type: 'list', short: 'c', description: 'Apply Dockerfile instruction to the created image' },
    message: { type: 'string', short: 'm', description: 'Set commit message for imported image' },
    platform: { type: 'string', description: 'Set platform if server is multi-platform capable' },
  },
  async run(ctx, { values, positionals }) {
    const [source, target] = positionals as [string, string | undefined];
    let repo: string | undefined;
    let tag: string | undefined;
    if (target) {
      const ref = parseReference(target);
      repo = repositoryName(ref);
      tag = ref.tag;
    }
    const isUrl = /^https?:\/\//.test(source);
    const body: Readable | undefined = isUrl ? undefined : source === '-' ? ctx.stdin : createReadStream(source);
    const client = await ctx.client();
    const messages = client.messages<JsonMessage>('POST', '/images/create', {
      query: {
        fromSrc: isUrl ? source : '-', repo, tag, message: str(values, 'message'),
        changes: list(values, 'change'), platform: str(values, 'platform'),
      },
      body,
      headers: body ? { 'Content-Type': 'application/x-tar' } : undefined,
    });
    await displayJsonMessages(messages, ctx.stdout);
  },
};
