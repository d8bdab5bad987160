// Responses that begin only with their first byte: a job that fails before producing anything
// is answered with an error status (Docker does the same: `docker pull` of a missing tag gets a
// 404), one that fails later ends its stream with Docker's error message line.
import { Writable } from 'node:stream';
import { errorMessage, type JsonMessage, type ProgressSink } from '../../engine/images/progress.js';
import type { RequestContext } from '../../server/request-context.js';

/** Runs `job` with a sink of newline-delimited JSON messages (application/json). */
export async function streamJsonMessages(ctx: RequestContext, job: (sink: ProgressSink) => Promise<void>): Promise<void> {
  let out: NodeJS.WritableStream | undefined;
  const open = () => (out ??= ctx.startStream('application/json'));
  const write = (message: JsonMessage) => {
    const stream = open() as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
    if (stream.destroyed || stream.writableEnded) return; // the client went away
    stream.write(`${JSON.stringify(message)}\n`);
  };
  try {
    await job(write);
  } catch (err) {
    if (out === undefined) throw err;
    write(errorMessage(err instanceof Error ? err.message : String(err)));
  }
  open().end();
}

/** A byte stream (docker save's tar) whose headers are sent with its first chunk. */
export function lazyByteStream(ctx: RequestContext, contentType: string): Writable {
  let out: NodeJS.WritableStream | undefined;
  const open = () => (out ??= ctx.startStream(contentType));
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (open().write(chunk)) done();
      else open().once('drain', () => done());
    },
    final(done) {
      open().end();
      done();
    },
  });
}
