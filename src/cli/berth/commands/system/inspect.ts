// berth inspect [-f FORMAT] [--type container|image] NAME...: the objects' JSON as a
// 4-space-indented array, or each through the template. Without --type a name is looked up as
// a container, then as an image.
import { ApiError, type ApiClient } from '../../../../api/client.js';
import { ExitStatus, type CommandDefinition, type CommandContext } from '../../command.js';
import { renderOne } from '../../format/render.js';
import { bool, str } from '../../options.js';
import { UsageError } from '../../../exit.js';

type Kind = 'container' | 'image';

const flags = {
  format: { type: 'string' as const, short: 'f', description: "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template" },
  size: { type: 'boolean' as const, short: 's', description: 'Display total file sizes if the type is container' },
};

async function fetch(client: ApiClient, kind: Kind, name: string, size: boolean): Promise<unknown> {
  const id = encodeURIComponent(name);
  return kind === 'container'
    ? client.json('GET', `/containers/${id}/json`, { query: { size } })
    : client.json('GET', `/images/${id}/json`);
}

export async function inspectObjects(ctx: CommandContext, names: string[], kinds: Kind[], format: string | undefined, size: boolean, typed: boolean): Promise<number> {
  const client = await ctx.client();
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    let object: unknown;
    let lastError: unknown;
    for (const kind of kinds) {
      try {
        object = await fetch(client, kind, name, size);
        break;
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 404) throw err;
        lastError = err;
      }
    }
    if (object === undefined) {
      errors.push(typed ? `Error response from daemon: ${(lastError as ApiError).message}` : `Error: No such object: ${name}`);
      continue;
    }
    found.push(object);
  }
  if (format) {
    for (const object of found) ctx.stdout.write(renderOne(format, object));
  } else {
    ctx.stdout.write(found.length ? `${JSON.stringify(found, null, 4)}\n` : '[]\n');
  }
  if (errors.length) throw new ExitStatus(1, errors.join('\n'));
  return 0;
}

export const inspect: CommandDefinition = {
  name: 'inspect',
  usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on berth objects',
  args: { min: 1 },
  flags: { ...flags, type: { type: 'string', description: 'Only inspect objects of the given type' } },
  async run(ctx, { values, positionals }) {
    const type = str(values, 'type');
    if (type && type !== 'container' && type !== 'image') throw new UsageError(`"${type}" is not a valid value for --type`);
    const kinds: Kind[] = type ? [type as Kind] : ['container', 'image'];
    return inspectObjects(ctx, positionals, kinds, str(values, 'format'), bool(values, 'size'), Boolean(type));
  },
};

export const containerInspect: CommandDefinition = {
  name: 'inspect',
  usage: 'container inspect [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Display detailed information on one or more containers',
  args: { min: 1 },
  flags,
  run: (ctx, { values, positionals }) => inspectObjects(ctx, positionals, ['container'], str(values, 'format'), bool(values, 'size'), true),
};

export const imageInspect: CommandDefinition = {
  name: 'inspect',
  usage: 'image inspect [OPTIONS] IMAGE [IMAGE...]',
  description: 'Display detailed information on one or more images',
  args: { min: 1 },
  flags: { format: flags.format },
  run: (ctx, { values, positionals }) => inspectObjects(ctx, positionals, ['image'], str(values, 'format'), false, true),
};
