// A foreground container session (run, start -a): attach before start, a wait in place before
// start, the start, then the TTY size and signals, and the exit status from the wait.
import type { IncomingMessage } from 'node:http';
import type { ApiClient } from '../../../../api/client.js';
import { readAll } from '../../../../api/client.js';
import type { HijackedConnection } from '../../../../api/hijack.js';
import type { CommandContext } from '../../command.js';
import { streamHijacked } from '../../hijacked-io.js';
import { enterRawMode, followTerminalSize, parseDetachKeys, defaultDetachKeys } from '../../terminal.js';

export interface SessionOptions {
  id: string;
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string | undefined;
  /** Wait for removal (--rm) instead of the next exit. */
  autoRemove: boolean;
  /** Forward SIGINT/SIGTERM... to the container (docker's --sig-proxy, without a TTY). */
  sigProxy: boolean;
  /** Performs the start once attach and wait are in place. */
  start: () => Promise<void>;
}

export type SessionResult = { detached: true } | { detached: false; status: number };

export async function attachStartWait(ctx: CommandContext, client: ApiClient, options: SessionOptions): Promise<SessionResult> {
  const attached = options.stdin || options.stdout || options.stderr;
  let conn: HijackedConnection | undefined;
  if (attached) {
    conn = await client.hijack('POST', `/containers/${options.id}/attach`, {
      query: {
        stream: true, stdin: options.stdin, stdout: options.stdout, stderr: options.stderr,
        detachKeys: options.detachKeys,
      },
    });
  }
  // The wait's headers arrive once the daemon has registered it: only then start.
  const wait = await client.stream('POST', `/containers/${options.id}/wait`, { query: { condition: options.autoRemove ? 'removed' : 'next-exit' } });
  const restore = options.tty && options.stdin ? enterRawMode(ctx.stdin) : () => {};
  const stopSignals = !options.tty && options.sigProxy ? forwardSignals(client, options.id) : () => {};
  let stopResize = () => {};
  try {
    const streaming = conn
      ? streamHijacked(conn, {
        tty: options.tty,
        stdin: options.stdin ? ctx.stdin : undefined,
        stdout: options.stdout ? ctx.stdout : undefined,
        stderr: options.stderr ? ctx.stderr : undefined,
        detachKeys: parseDetachKeys(options.detachKeys ?? defaultDetachKeys),
      })
      : undefined;
    try {
      await options.start();
    } catch (err) {
      conn?.socket.destroy();
      await streaming?.catch(() => {});
      // With --rm the daemon removes a container that failed to start; wait for that a
      // little (as docker does), but never hang on a daemon that keeps it.
      if (options.autoRemove) await Promise.race([readAll(wait).catch(() => {}), new Promise((r) => setTimeout(r, 3000).unref())]);
      wait.destroy();
      throw err;
    }
    if (options.tty && ctx.stdout.isTTY) {
      stopResize = followTerminalSize((h, w) => client.json('POST', `/containers/${options.id}/resize`, { query: { h, w } }), ctx.stdout);
    }
    if (streaming) {
      const result = await streaming;
      if (result.detached) {
        wait.destroy();
        return { detached: true };
      }
    }
    return { detached: false, status: await waitStatus(wait) };
  } finally {
    stopResize();
    stopSignals();
    restore();
  }
}

/** The StatusCode of a wait response (docker: an Error in the body is berth's failure). */
export async function waitStatus(wait: IncomingMessage): Promise<number> {
  const text = (await readAll(wait)).toString('utf8').trim();
  if (!text) throw new Error('error waiting for container: the daemon closed the wait without a status');
  const body = JSON.parse(text.split('\n').pop()!) as { StatusCode: number; Error?: { Message?: string } | null };
  if (body.Error?.Message) throw new Error(`error waiting for container: ${body.Error.Message}`);
  return body.StatusCode;
}

const forwarded: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** docker's ForwardAllSignals: berth's signals go to the container's process. */
export function forwardSignals(client: ApiClient, id: string): () => void {
  const handlers = forwarded.map((signal) => {
    const handler = () => {
      client.json('POST', `/containers/${id}/kill`, { query: { signal: signal.replace(/^SIG/, '') } }).catch(() => {});
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
