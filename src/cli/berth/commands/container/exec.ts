// berth exec [-d] [-i] [-t] [-e] [-w] [-u] [--privileged] CONTAINER COMMAND [ARG...]: create
// the exec, start it on a hijacked connection, resize a TTY, and exit with its ExitCode.
import { UsageError } from '../../../exit.js';
import type { CommandDefinition } from '../../command.js';
import { parseEnvFile, parseEnvFlag } from '../../container-options.js';
import { streamHijacked } from '../../hijacked-io.js';
import { bool, list, str } from '../../options.js';
import { defaultDetachKeys, enterRawMode, followTerminalSize, parseDetachKeys, terminalSize } from '../../terminal.js';
import { readFileSync } from 'node:fs';

export const exec: CommandDefinition = {
  name: 'exec',
  usage: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  interspersed: false,
  args: { min: 2 },
  flags: {
    detach: { type: 'boolean', short: 'd', description: 'Detached mode: run command in the background' },
    'detach-keys': { type: 'string', description: 'Override the key sequence for detaching a container' },
    env: { type: 'list', short: 'e', description: 'Set environment variables' },
    'env-file': { type: 'list', description: 'Read in a file of environment variables' },
    interactive: { type: 'boolean', short: 'i', description: 'Keep STDIN open even if not attached' },
    privileged: { type: 'boolean', description: 'Give extended privileges to the command' },
    tty: { type: 'boolean', short: 't', description: 'Allocate a pseudo-TTY' },
    user: { type: 'string', short: 'u', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    workdir: { type: 'string', short: 'w', description: 'Working directory inside the container' },
  },
  async run(ctx, { values, positionals }) {
    const [container, ...cmd] = positionals as [string, ...string[]];
    const detach = bool(values, 'detach');
    const tty = bool(values, 'tty');
    const interactive = bool(values, 'interactive');
    if (tty && interactive && !ctx.stdin.isTTY && !detach) throw new UsageError('the input device is not a TTY');
    const env = [
      ...list(values, 'env-file').flatMap((f) => parseEnvFile(readFileSync(f, 'utf8'), undefined, f)),
      ...list(values, 'env').map((e) => parseEnvFlag(e)),
    ];
    const size = tty ? terminalSize(ctx.stdout) : undefined;
    const client = await ctx.client();
    const { Id: execId } = await client.json<{ Id: string }>('POST', `/containers/${encodeURIComponent(container)}/exec`, {
      body: {
        User: str(values, 'user') ?? '',
        Privileged: bool(values, 'privileged'),
        Tty: tty,
        ConsoleSize: size ?? null,
        AttachStdin: interactive && !detach,
        AttachStdout: !detach,
        AttachStderr: !detach,
        DetachKeys: str(values, 'detach-keys') ?? '',
        Env: env,
        WorkingDir: str(values, 'workdir') ?? '',
        Cmd: cmd,
      },
    });
    if (detach) {
      await client.json('POST', `/exec/${execId}/start`, { body: { Detach: true, Tty: tty, ConsoleSize: size ?? null } });
      return 0;
    }
    const conn = await client.hijack('POST', `/exec/${execId}/start`, { body: { Detach: false, Tty: tty, ConsoleSize: size ?? null } });
    const restore = tty && interactive ? enterRawMode(ctx.stdin) : () => {};
    const stopResize = tty && ctx.stdout.isTTY
      ? followTerminalSize((h, w) => client.json('POST', `/exec/${execId}/resize`, { query: { h, w } }), ctx.stdout)
      : () => {};
    try {
      const result = await streamHijacked(conn, {
        tty,
        stdin: interactive ? ctx.stdin : undefined,
        stdout: ctx.stdout,
        stderr: ctx.stderr,
        detachKeys: parseDetachKeys(str(values, 'detach-keys') ?? defaultDetachKeys),
      });
      if (result.detached) return 0;
    } finally {
      stopResize();
      restore();
    }
    // The exit code is recorded a moment after the stream closes.
    for (let i = 0; i < 50; i++) {
      const inspect = await client.json<{ Running?: boolean; ExitCode?: number | null }>('GET', `/exec/${execId}/json`);
      if (!inspect.Running && inspect.ExitCode !== null && inspect.ExitCode !== undefined) return inspect.ExitCode;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return 0;
  },
};
