// berth load [-i FILE] [-q]: an image archive from a file or stdin.
import { createReadStream, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { ExitStatus, type CommandDefinition } from '../../command.js';
import { bool, str } from '../../options.js';
import { displayJsonMessages, type JsonMessage } from '../../progress.js';
import { UsageError } from '../../../exit.js';

export const load: CommandDefinition = {
  name: 'load',
  usage: 'load [OPTIONS]',
  description: 'Load an image from a tar archive or STDIN',
  args: { max: 0 },
  flags: {
    input: { type: 'string', short: 'i', description: 'Read from tar archive file, instead of STDIN' },
    platform: { type: 'list', description: 'Load only the given platform(s)' },
    quiet: { type: 'boolean', short: 'q', description: 'Suppress the load output' },
  },
  async run(ctx, { values }) {
    const input = str(values, 'input');
    if (!input && ctx.stdin.isTTY) throw new UsageError('requested load from stdin, but stdin is empty');
    const body: Readable = input ? createReadStream(input, { fd: openInput(input) }) : ctx.stdin;
    const client = await ctx.client();
    const quiet = bool(values, 'quiet') || !ctx.stdout.isTTY;
    const response = client.messages<JsonMessage>('POST', '/images/load', {
      query: { quiet },
      body,
      headers: { 'Content-Type': 'application/x-tar' },
    });
    await displayJsonMessages(response, ctx.stdout);
  },
};

/** The archive, opened before anything is sent; docker's wording when it cannot be. */
function openInput(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    const reason = /^[A-Z]+: ([^,]+)/.exec((err as Error).message)?.[1] ?? (err as Error).message;
    throw new ExitStatus(1, `open ${path}: ${reason}`);
  }
}
