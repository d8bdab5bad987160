// berth create: the container is made (pulling a missing image) but not started; prints its id.
import { writeFileSync } from 'node:fs';
import type { CommandDefinition } from '../../command.js';
import { buildCreatePlan, containerFlags } from '../../container-options.js';
import { bool, str } from '../../options.js';
import { terminalSize } from '../../terminal.js';
import { createContainer } from './create-container.js';

export const create: CommandDefinition = {
  name: 'create',
  usage: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  interspersed: false,
  args: { min: 1 },
  flags: containerFlags,
  async run(ctx, { values, positionals }) {
    // Like docker create: streams are attached as for a foreground run (a later start -a).
    const plan = buildCreatePlan(values, positionals, { detach: false, terminal: { size: terminalSize(ctx.stdout) } });
    const client = await ctx.client();
    const id = await createContainer(ctx, client, plan, bool(values, 'quiet'));
    const cidfile = str(values, 'cidfile');
    if (cidfile) writeFileSync(cidfile, id, { flag: 'wx' });
    ctx.stdout.write(`${id}\n`);
  },
};
