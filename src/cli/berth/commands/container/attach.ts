// berth attach [--no-stdin] [--sig-proxy] [--detach-keys]: a running container's streams
// here; exits with the container's status when it stops, 0 on detach.
import type { CommandDefinition } from '../../command.js';
import { bool, str } from '../../options.js';
import { streamHijacked } from '../../hijacked-io.js';
import { defaultDetachKeys, enterRawMode, followTerminalSize, parseDetachKeys } from '../../terminal.js';
import { forwardSignals, waitStatus } from './attach-session.js';
import { UsageError } from '../../../exit.js';

export const attach: CommandDefinition = {
  name: 'attach',
  usage: 'attach [OPTIONS] CONTAINER',
  description: "Attach local standard input, output, and error streams to a running container",
  args: { min: 1, max: 1 },
  flags: {
    'detach-keys': { type: 'string', description: 'Override the key sequence for detaching a container' },
    'no-stdin': { type: 'boolean', description: 'Do not attach STDIN' },
    'sig-proxy': { type: 'boolean', default: true, description: 'Proxy all received signals to the process' },
  },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    const info = await client.json<{ Id: string; Config: { Tty?: boolean; OpenStdin?: boolean }; State: { Running?: boolean; Paused?: boolean; Restarting?: boolean } }>(
      'GET', `/containers/${encodeURIComponent(positionals[0]!)}/json`);
    if (!info.State.Running) throw new UsageError('You cannot attach to a stopped container, start it first');
    if (info.State.Paused) throw new UsageError('You cannot attach to a paused container, unpause it first');
    if (info.State.Restarting) throw new UsageError('You cannot attach to a restarting container, wait until it is running');
    const tty = Boolean(info.Config.Tty);
    const stdin = Boolean(info.Config.OpenStdin) && !bool(values, 'no-stdin');
    const detachKeys = str(values, 'detach-keys');
    const conn = await client.hijack('POST', `/containers/${info.Id}/attach`, {
      query: { stream: true, stdin, stdout: true, stderr: true, detachKeys },
    });
    const wait = await client.stream('POST', `/containers/${info.Id}/wait`, { query: { condition: 'not-running' } });
    const restore = tty && stdin ? enterRawMode(ctx.stdin) : () => {};
    const stopSignals = !tty && values['sig-proxy'] !== false ? forwardSignals(client, info.Id) : () => {};
    const stopResize = tty && ctx.stdout.isTTY
      ? followTerminalSize((h, w) => client.json('POST', `/containers/${info.Id}/resize`, { query: { h, w } }), ctx.stdout)
      : () => {};
    try {
      const result = await streamHijacked(conn, {
        tty, stdin: stdin ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr,
        detachKeys: parseDetachKeys(detachKeys ?? defaultDetachKeys),
      });
      if (result.detached) {
        wait.destroy();
        return 0;
      }
      return await waitStatus(wait);
    } finally {
      stopResize();
      stopSignals();
      restore();
    }
  },
};
