// berth start [-a] [-i]: starts containers; attached, streams the one container and exits with
// its status.
import { ExitStatus, forEachName, type CommandDefinition } from '../../command.js';
import { bool, str } from '../../options.js';
import { UsageError } from '../../../exit.js';
import { attachStartWait } from './attach-session.js';

export const start: CommandDefinition = {
  name: 'start',
  usage: 'start [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  args: { min: 1 },
  flags: {
    attach: { type: 'boolean', short: 'a', description: 'Attach STDOUT/STDERR and forward signals' },
    'detach-keys': { type: 'string', description: 'Override the key sequence for detaching a container' },
    interactive: { type: 'boolean', short: 'i', description: "Attach container's STDIN" },
  },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    const attach = bool(values, 'attach');
    const interactive = bool(values, 'interactive');
    if (!attach && !interactive) {
      return forEachName(ctx, positionals, async (name) => {
        await client.json('POST', `/containers/${encodeURIComponent(name)}/start`);
        ctx.stdout.write(`${name}\n`);
      }, (failed) => `Error: failed to start containers: ${failed.join(', ')}`);
    }
    if (positionals.length > 1) throw new UsageError('you cannot start and attach multiple containers at once');
    const info = await client.json<{ Id: string; Config: { Tty?: boolean; OpenStdin?: boolean }; HostConfig?: { AutoRemove?: boolean } }>('GET', `/containers/${encodeURIComponent(positionals[0]!)}/json`);
    const tty = Boolean(info.Config.Tty);
    const result = await attachStartWait(ctx, client, {
      id: info.Id,
      tty,
      stdin: interactive && Boolean(info.Config.OpenStdin),
      stdout: true,
      stderr: true,
      detachKeys: str(values, 'detach-keys'),
      autoRemove: Boolean(info.HostConfig?.AutoRemove),
      sigProxy: true,
      // Unlike run, docker start -a reports a failed start as any other daemon error (status 1).
      start: () => client.json('POST', `/containers/${info.Id}/start`).then(() => undefined),
    });
    if (result.detached) return 0;
    if (result.status !== 0) throw new ExitStatus(result.status);
    return 0;
  },
};
