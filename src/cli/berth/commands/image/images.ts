// berth images [-a] [-q] [--filter] [--format] [--no-trunc] [--digests] [REPOSITORY[:TAG]]
import type { CommandDefinition } from '../../command.js';
import { bool, list, str } from '../../options.js';
import { defaultImagesFormat, imageHeaders, imageRows, type ImageSummary } from '../../format/images.js';
import { renderList } from '../../format/render.js';
import { filtersQuery } from '../filters.js';

export const images: CommandDefinition = {
  name: 'images',
  aliases: ['ls', 'list'],
  usage: 'images [OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  args: { max: 1 },
  flags: {
    all: { type: 'boolean', short: 'a', description: 'Show all images (default hides intermediate images)' },
    digests: { type: 'boolean', description: 'Show digests' },
    filter: { type: 'list', short: 'f', valueName: 'filter', description: 'Filter output based on conditions provided' },
    format: { type: 'string', description: 'Format output using a custom template' },
    'no-trunc': { type: 'boolean', description: "Don't truncate output" },
    quiet: { type: 'boolean', short: 'q', description: 'Only show image IDs' },
  },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    const filters = list(values, 'filter');
    if (positionals[0]) filters.push(`reference=${positionals[0]}`);
    const summaries = await client.json<ImageSummary[]>('GET', '/images/json', {
      query: { all: bool(values, 'all'), filters: filtersQuery(filters) },
    });
    const trunc = !bool(values, 'no-trunc');
    if (bool(values, 'quiet') && !str(values, 'format')) {
      const ids = [...new Set(summaries.map((s) => imageRows(s, trunc)[0]!.ID))];
      ctx.stdout.write(ids.map((id) => `${id}\n`).join(''));
      return;
    }
    const format = str(values, 'format') ?? defaultImagesFormat(bool(values, 'digests'));
    ctx.stdout.write(renderList(format, summaries.flatMap((s) => imageRows(s, trunc)), imageHeaders));
  },
};
