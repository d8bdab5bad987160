// `POST /containers/{id}/attach` over a hijacked connection. The docker client attaches before
// it starts the container, so an attach to a created container waits, and start wires it to the
// monitor before releasing the program: no output is lost. Output is framed with the
// multiplexed header unless the container has a TTY; stdin goes through the detach-keys watch
// (ctrl-p ctrl-q by default, as in Docker, where the daemon does the watching).
import type { Duplex } from 'node:stream';
import { MonitorClient } from '../../../monitor/client.js';
import type { ContainerContext } from './context.js';
import { streamLogs } from './logs.js';
import type { ContainerRecord } from './record.js';
import { parseDetachKeys } from './detach-keys.js';
import { wireConnection } from './hijacked-streams.js';
import { runFiles } from './run-files.js';

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  stream: boolean;
  logs: boolean;
  detachKeys?: string | undefined;
}

interface PendingAttach {
  record: ContainerRecord;
  options: AttachOptions;
  connection: Duplex;
  head: Buffer;
}

/** Attaches made before start, by container id. */
const pending = new Map<string, Set<PendingAttach>>();

export async function attachContainer(ctx: ContainerContext, nameOrId: string, options: AttachOptions, connection: () => { socket: Duplex; head: Buffer }): Promise<void> {
  const record = ctx.store.get(nameOrId);
  parseDetachKeys(options.detachKeys); // a bad sequence is refused before the hijack
  const { socket, head } = connection();
  if (options.logs) {
    await streamLogs(ctx, record.id, { stdout: options.stdout, stderr: options.stderr, follow: false, timestamps: false }, socket, () => socket.destroyed);
  }
  if (!options.stream) {
    socket.end();
    return;
  }
  const attach: PendingAttach = { record, options, connection: socket, head };
  if (record.state.status === 'running' || record.state.status === 'paused') {
    await wireToMonitor(attach, runFiles(ctx, record.id).socket);
    return;
  }
  if (record.state.status === 'created' || record.state.status === 'exited' || record.state.status === 'restarting') {
    let set = pending.get(record.id);
    if (!set) pending.set(record.id, (set = new Set()));
    set.add(attach);
    socket.on('close', () => set!.delete(attach));
    // Removed before it ever started: nothing will come.
    void ctx.lifecycle.nextRemoval(record.id).then(() => socket.end());
    return;
  }
  socket.end();
}

/** Called by start once the monitor listens and before the program runs. */
export async function connectPendingAttaches(id: string, monitorSocket: string): Promise<void> {
  const set = pending.get(id);
  if (!set) return;
  pending.delete(id);
  await Promise.all([...set].map((attach) => wireToMonitor(attach, monitorSocket).catch(() => attach.connection.destroy())));
}

async function wireToMonitor(attach: PendingAttach, monitorSocket: string): Promise<void> {
  const { record, options, connection, head } = attach;
  const tty = record.config.Tty ?? false;
  const monitor = await MonitorClient.connect(monitorSocket);
  const wantStdin = options.stdin && (record.config.OpenStdin ?? false);
  const streams = await monitor.attach({ stdin: wantStdin, stdout: options.stdout, stderr: options.stderr && !tty });
  const finish = () => {
    monitor.close();
    if (!connection.destroyed) connection.end();
  };
  monitor.exited().then(finish, finish);
  connection.on('close', () => monitor.close());
  connection.on('error', () => monitor.close());
  // The client half-closed: its stdin ended. With StdinOnce the container's stdin closes too.
  wireConnection(connection, head, streams, { tty, detachKeys: options.detachKeys, finish, closeStdinAtEnd: record.config.StdinOnce ?? false });
}
