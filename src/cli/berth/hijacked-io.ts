// The user's side of a hijacked connection (run, start -a, attach, exec): output to stdout
// and stderr (demultiplexed without a TTY), stdin to the container with a half-close at its
// end, and the detach keys watched on a TTY's input (docker's escape proxy): the whole
// sequence detaches; a partial one is passed on as soon as it stops matching.
import type { Writable } from 'node:stream';
import type { HijackedConnection } from '../../api/hijack.js';
import { StreamDemuxer } from '../../api/stream-demux.js';

export interface HijackedIo {
  tty: boolean;
  stdin?: NodeJS.ReadableStream | undefined;
  stdout?: Writable | undefined;
  stderr?: Writable | undefined;
  /** Watched on stdin when `tty`. */
  detachKeys?: Buffer | undefined;
}

export interface StreamResult {
  detached: boolean;
}

export function streamHijacked(conn: HijackedConnection, io: HijackedIo): Promise<StreamResult> {
  const { socket } = conn;
  return new Promise((resolve, reject) => {
    let finished = false;
    const demuxer = io.tty ? undefined : new StreamDemuxer();
    const output = (chunk: Buffer) => {
      if (!demuxer) {
        io.stdout?.write(chunk);
        return;
      }
      for (const frame of demuxer.push(chunk)) {
        if (frame.stream === 2) io.stderr?.write(frame.data);
        else if (frame.stream === 3) io.stderr?.write(frame.data);
        else io.stdout?.write(frame.data);
      }
    };
    const finish = (result: StreamResult, err?: unknown) => {
      if (finished) return;
      finished = true;
      stopInput();
      socket.off('data', onData);
      if (err) reject(err);
      else resolve(result);
    };
    const onData = (chunk: Buffer) => {
      try {
        output(chunk);
      } catch (err) {
        socket.destroy();
        finish({ detached: false }, err);
      }
    };

    // Input: raw bytes, the escape sequence held back while it matches.
    let held: number[] = [];
    const keys = io.tty ? io.detachKeys : undefined;
    const onInput = (data: Buffer | string) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (!keys?.length) {
        socket.write(bytes);
        return;
      }
      const pass: number[] = [];
      for (const byte of bytes) {
        if (byte === keys[held.length]) {
          held.push(byte);
          if (held.length === keys.length) {
            if (pass.length) socket.write(Buffer.from(pass));
            socket.destroy();
            finish({ detached: true });
            return;
          }
          continue;
        }
        pass.push(...held, byte);
        held = [];
      }
      if (pass.length) socket.write(Buffer.from(pass));
    };
    const onInputEnd = () => {
      if (held.length) socket.write(Buffer.from(held));
      held = [];
      // Half-close: the container sees EOF on stdin, its output still reaches us.
      if (!socket.destroyed) socket.end();
    };
    const stopInput = () => {
      if (!io.stdin) return;
      io.stdin.off('data', onInput);
      io.stdin.off('end', onInputEnd);
      io.stdin.pause();
    };
    if (io.stdin) {
      io.stdin.on('data', onInput);
      io.stdin.once('end', onInputEnd);
      io.stdin.resume();
    }

    if (conn.head.length) onData(conn.head);
    socket.on('data', onData);
    socket.once('end', () => {
      try {
        demuxer?.finish();
      } catch { /* a frame cut short by the close: what came is shown */ }
      finish({ detached: false });
    });
    socket.once('close', () => finish({ detached: false }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') finish({ detached: false });
      else finish({ detached: false }, err);
    });
    socket.resume();
  });
}
