// A monitor's attached streams wired to a hijacked client connection, for attach and exec
// alike: output framed with the multiplexed header unless there is a TTY, and the client's
// bytes sent to stdin through the detach-keys watch (the daemon watches, as in Docker).
import type { Duplex } from 'node:stream';
import type { AttachedStreams } from '../../../monitor/client.js';
import { DetachKeyWatch, parseDetachKeys } from './detach-keys.js';
import { frameOutput } from './stream-frames.js';

export interface ConnectionWiring {
  tty: boolean;
  /** Docker's --detach-keys; ctrl-p ctrl-q when absent. */
  detachKeys: string | undefined;
  /** Ends the session: the client detached (or, by the caller, the program exited). */
  finish: () => void;
  /** Whether the client's half-close closes the program's stdin (Docker's StdinOnce for attach). */
  closeStdinAtEnd: boolean;
}

/** `head`: bytes the client sent with its request, before the connection was hijacked. */
export function wireConnection(connection: Duplex, head: Buffer, streams: AttachedStreams, wiring: ConnectionWiring): void {
  streams.stdout?.on('data', (d: Buffer) => connection.write(wiring.tty ? d : frameOutput('stdout', d)));
  streams.stderr?.on('data', (d: Buffer) => connection.write(frameOutput('stderr', d)));
  const stdin = streams.stdin;
  if (!stdin) return;
  const watch = new DetachKeyWatch(parseDetachKeys(wiring.detachKeys));
  const forward = (data: Buffer) => {
    const { passed, detached } = watch.push(data);
    if (passed.length) stdin.write(passed);
    if (detached) wiring.finish();
  };
  if (head.length) forward(head);
  connection.on('data', forward);
  connection.on('end', () => {
    if (wiring.closeStdinAtEnd) stdin.end();
  });
}
