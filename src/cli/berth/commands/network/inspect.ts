// berth network inspect [-f FORMAT] [-v] NETWORK...: each network's JSON as the daemon sent it,
// in a 4-space-indented array, or each through the template; as docker, the networks that were
// found are printed, then the errors, and the exit status is 1 if any name failed.
import { ApiError } from '../../../../api/client.js';
import type { NetworkInspect } from '../../../../api/types/network.js';
import { ExitStatus, type CommandDefinition } from '../../command.js';
import { describeFailure } from '../../errors.js';
import { renderOne } from '../../format/render.js';
import { bool, str } from '../../options.js';

export const networkInspect: CommandDefinition = {
  name: 'inspect',
  usage: 'network inspect [OPTIONS] NETWORK [NETWORK...]',
  description: 'Display detailed information on one or more networks',
  args: { min: 1 },
  flags: {
    format: { type: 'string', short: 'f', description: "Format output using a custom template ('json' or 'TEMPLATE')" },
    verbose: { type: 'boolean', short: 'v', description: 'Verbose output for diagnostics' },
  },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    const format = str(values, 'format');
    const found: NetworkInspect[] = [];
    const errors: string[] = [];
    for (const name of positionals) {
      try {
        const network = await client.json<NetworkInspect>('GET', `/networks/${encodeURIComponent(name)}`, {
          query: { verbose: bool(values, 'verbose') ? 'true' : undefined }, // as docker sends it
        });
        found.push(network);
        // A template prints as it goes, so that the errors come after the networks found.
        if (format && format !== 'json') ctx.stdout.write(renderOne(format, network));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        errors.push(describeFailure(err));
      }
    }
    if (!format) ctx.stdout.write(found.length ? `${JSON.stringify(found, null, 4)}\n` : '[]\n');
    else if (format === 'json') ctx.stdout.write(`${JSON.stringify(found)}\n`);
    if (errors.length) throw new ExitStatus(1, errors.join('\n'));
  },
};
