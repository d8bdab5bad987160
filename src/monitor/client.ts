// A connection to a container's berth-monitor (see protocol.ts): tells it the container's pid,
// attaches to the container's stdio, resizes its pty, and learns its exit. Several clients may
// be connected to one monitor at once; each gets the output produced after it attached.
import { createConnection, type Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import {
  MonitorRecord, MonitorRecordReader, decodeExit, encodeAttach, encodeContainerPid, encodeRecord, encodeResize,
  type MonitorExit,
} from './protocol.js';

export interface AttachedStreams {
  /** The container's stdin; end() closes it (StdinOnce). null unless asked for. */
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
}

/** Stdin is sent in records of at most this many bytes. */
const stdinRecordBytes = 64 * 1024;

export class MonitorClient {
  private readonly reader = new MonitorRecordReader();
  private readonly exit: Promise<MonitorExit>;
  private stdout: Readable | null = null;
  private stderr: Readable | null = null;
  private waitSent = false;
  /** Callers of attach() waiting for the monitor's ATTACHED, in order. */
  private readonly attached: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    let resolveExit!: (exit: MonitorExit) => void;
    let rejectExit!: (err: Error) => void;
    this.exit = new Promise<MonitorExit>((resolve, reject) => { resolveExit = resolve; rejectExit = reject; });
    this.exit.catch(() => { /* seen by whoever calls exited() */ });
    socket.on('data', (chunk: Buffer) => {
      for (const record of this.reader.push(chunk)) {
        switch (record.type) {
          case MonitorRecord.StdoutData:
            this.deliver(this.stdout, record.payload);
            break;
          case MonitorRecord.StderrData:
            this.deliver(this.stderr, record.payload);
            break;
          case MonitorRecord.Exit:
            this.endOutput();
            resolveExit(decodeExit(record.payload));
            break;
          case MonitorRecord.Attached:
            this.attached.shift()?.();
            break;
        }
      }
    });
    socket.on('error', () => { /* 'close' follows */ });
    socket.on('close', () => {
      this.endOutput();
      rejectExit(new Error('the monitor closed the connection without an exit status'));
    });
  }

  /** Connects to a monitor's socket; rejects if nothing listens there. */
  static connect(socketPath: string): Promise<MonitorClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(socketPath);
      const fail = (err: Error) => reject(err);
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        resolve(new MonitorClient(socket));
      });
    });
  }

  /** Tells the monitor which of its children is the container (it may already have exited). */
  sendPid(pid: number): void {
    this.send(encodeContainerPid(pid));
  }

  /**
   * Attaches to the container's stdio: output produced once this resolves (the monitor said
   * ATTACHED) arrives on the returned streams, which end when the container has exited (or the
   * connection closes). Waiting for the answer is what lets `run` start the container only
   * when its first output can no longer be missed.
   */
  async attach(streams: { stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<AttachedStreams> {
    const resume = () => { if (this.socket.isPaused()) this.socket.resume(); };
    if (streams.stdout) this.stdout = new Readable({ read: resume });
    if (streams.stderr) this.stderr = new Readable({ read: resume });
    const stdin = streams.stdin ? this.stdinWritable() : null;
    await new Promise<void>((resolve) => {
      // A monitor that is gone has nothing more to say: the streams end at once (endOutput).
      if (!this.send(encodeAttach(streams))) return resolve();
      this.attached.push(resolve);
      this.socket.once('close', () => resolve());
    });
    return { stdin, stdout: this.stdout, stderr: this.stderr };
  }

  /** Sets the pty's window size (a tty container; ignored otherwise). */
  resize(rows: number, cols: number): void {
    this.send(encodeResize(rows, cols));
  }

  /** The container's exit, once its output is drained; rejects if the monitor goes away first. */
  exited(): Promise<MonitorExit> {
    if (!this.waitSent) {
      this.waitSent = true;
      this.send(encodeRecord(MonitorRecord.Wait));
    }
    return this.exit;
  }

  close(): void {
    this.socket.destroy();
  }

  private send(bytes: Buffer, done?: () => void): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(bytes, done ? () => done() : undefined);
    return true;
  }

  private deliver(stream: Readable | null, payload: Buffer): void {
    // Copied: the payload is a view of the reader's buffer.
    if (stream && !stream.readableEnded && !stream.push(Buffer.from(payload))) this.socket.pause();
  }

  private endOutput(): void {
    for (const stream of [this.stdout, this.stderr]) if (stream && !stream.readableEnded) stream.push(null);
  }

  /** Data written after the connection closed is dropped: the container can no longer read it. */
  private stdinWritable(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        let sent = false;
        for (let offset = 0; offset < chunk.length; offset += stdinRecordBytes) {
          const piece = chunk.subarray(offset, offset + stdinRecordBytes);
          const last = offset + stdinRecordBytes >= chunk.length;
          sent = this.send(encodeRecord(MonitorRecord.StdinData, piece), last ? () => callback() : undefined);
          if (!sent) break;
        }
        if (!sent) callback();
      },
      final: (callback) => {
        if (!this.send(encodeRecord(MonitorRecord.StdinClose), () => callback())) callback();
      },
    });
  }
}
