// berth run: create (pulling a missing image), then in the foreground attach, wait, start and
// stream until the container exits, exiting with its status; with -d, print the id.
import { writeFileSync } from 'node:fs';
import { ApiError } from '../../../../api/client.js';
import { UsageError } from '../../../exit.js';
import { ExitStatus, type CommandDefinition } from '../../command.js';
import { buildCreatePlan, containerFlags } from '../../container-options.js';
import { describeFailure } from '../../errors.js';
import { bool, str } from '../../options.js';
import { terminalSize } from '../../terminal.js';
import { attachStartWait } from './attach-session.js';
import { createContainer } from './create-container.js';

export const run: CommandDefinition = {
  name: 'run',
  usage: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  interspersed: false,
  args: { min: 1 },
  flags: {
    ...containerFlags,
    detach: { type: 'boolean', short: 'd', description: 'Run container in background and print container ID' },
    'detach-keys': { type: 'string', description: 'Override the key sequence for detaching a container' },
    'sig-proxy': { type: 'boolean', default: true, description: 'Proxy received signals to the process' },
  },
  async run(ctx, { values, positionals }) {
    const detach = bool(values, 'detach');
    const tty = bool(values, 'tty');
    const plan = buildCreatePlan(values, positionals, { detach, terminal: { size: terminalSize(ctx.stdout) } });
    if (tty && plan.body.AttachStdin && !ctx.stdin.isTTY) throw new UsageError('the input device is not a TTY');
    const client = await ctx.client();
    const id = await createContainer(ctx, client, plan, bool(values, 'quiet'));
    const cidfile = str(values, 'cidfile');
    if (cidfile) writeFileSync(cidfile, id, { flag: 'wx' });
    const start = () => client.json('POST', `/containers/${id}/start`).then(() => undefined);
    if (detach) {
      await startOrExit(start);
      ctx.stdout.write(`${id}\n`);
      return 0;
    }
    const result = await attachStartWait(ctx, client, {
      id,
      tty,
      stdin: Boolean(plan.body.AttachStdin),
      stdout: Boolean(plan.body.AttachStdout),
      stderr: Boolean(plan.body.AttachStderr),
      detachKeys: str(values, 'detach-keys'),
      autoRemove: bool(values, 'rm'),
      sigProxy: values['sig-proxy'] !== false,
      start: () => startOrExit(start),
    });
    return result.detached ? 0 : result.status;
  },
};

/**
 * docker's toStatusError: a program that is not there is 127, one that cannot be executed
 * 126, anything else 125 — with the daemon's message and a pointer to --help.
 */
export async function startOrExit(start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const message = err.message;
    let status = 125;
    if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) status = 127;
    else if (/permission denied|is a directory/.test(message)) status = 126;
    throw new ExitStatus(status, `berth: ${describeFailure(err)}\n\nRun 'berth run --help' for more information`);
  }
}
