// berth save [-o FILE] IMAGE...: the archive to a file, or to stdout when it is not a terminal.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { CommandDefinition } from '../../command.js';
import { str } from '../../options.js';
import { UsageError } from '../../../exit.js';

export const save: CommandDefinition = {
  name: 'save',
  usage: 'save [OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  args: { min: 1 },
  flags: {
    output: { type: 'string', short: 'o', description: 'Write to a file, instead of STDOUT' },
    platform: { type: 'list', description: 'Save only the given platform(s)' },
  },
  async run(ctx, { values, positionals }) {
    const output = str(values, 'output');
    if (!output && ctx.stdout.isTTY) throw new UsageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const client = await ctx.client();
    const response = await client.stream('GET', '/images/get', { query: { names: positionals } });
    if (output) {
      const tmp = `${output}.berth-partial`;
      await pipeline(response, createWriteStream(tmp, { mode: 0o644 }));
      const { renameSync } = await import('node:fs');
      renameSync(tmp, output);
    } else {
      await pipeline(response, ctx.stdout, { end: false });
    }
  },
};
