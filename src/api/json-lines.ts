// Streamed JSON messages (pull, push, load, events): JSON values one after another, which
// berthd and dockerd separate with newlines. Values are yielded as they complete.
import type { Readable } from 'node:stream';

export async function* jsonMessages<T = Record<string, unknown>>(body: Readable): AsyncGenerator<T> {
  let pending = '';
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  if (pending.trim()) yield JSON.parse(pending) as T;
}
