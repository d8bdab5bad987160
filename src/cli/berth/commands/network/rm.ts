// berth network rm [-f] NETWORK...: removes each network and prints its name as given. As
// docker, a failure is printed and the others go on; the exit status is then 1, announced by
// "exit status 1". With -f a network that does not exist is no failure. Removing the swarm
// routing-mesh (ingress) network asks first.
import { ApiError } from '../../../../api/client.js';
import type { NetworkInspect } from '../../../../api/types/network.js';
import { ExitStatus, type CommandDefinition } from '../../command.js';
import { describeFailure } from '../../errors.js';
import { bool } from '../../options.js';
import { confirm } from './confirm.js';

const ingressWarning = 'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. '
  + 'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue?';

export const networkRm: CommandDefinition = {
  name: 'rm',
  aliases: ['remove'],
  usage: 'network rm NETWORK [NETWORK...]',
  description: 'Remove one or more networks',
  args: { min: 1 },
  flags: {
    force: { type: 'boolean', short: 'f', description: 'Do not error if the network does not exist' },
  },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    let failed = false;
    for (const name of positionals) {
      const path = `/networks/${encodeURIComponent(name)}`;
      const network = await client.json<NetworkInspect>('GET', path).catch((err: unknown) => {
        if (err instanceof ApiError) return undefined; // the removal reports it
        throw err;
      });
      if (network?.Ingress && !(await confirm(ctx, ingressWarning))) continue;
      try {
        await client.json('DELETE', path);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (bool(values, 'force') && err.status === 404) continue;
        ctx.stderr.write(`${describeFailure(err)}\n`);
        failed = true;
        continue;
      }
      ctx.stdout.write(`${name}\n`);
    }
    if (failed) throw new ExitStatus(1, 'exit status 1');
  },
};
