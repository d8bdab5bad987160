// berth logs [-f] [--tail N] [--since T] [--until T] [-t]: raw for TTY containers, else the
// multiplexed stream split back into stdout and stderr.
import type { CommandDefinition } from '../../command.js';
import { bool, str } from '../../options.js';
import { StreamDemuxer } from '../../../../api/stream-demux.js';
import { UsageError } from '../../../exit.js';
import { parseGoDuration } from '../../container-options.js';

export const logs: CommandDefinition = {
  name: 'logs',
  usage: 'logs [OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  args: { min: 1, max: 1 },
  flags: {
    details: { type: 'boolean', description: 'Show extra details provided to logs' },
    follow: { type: 'boolean', short: 'f', description: 'Follow log output' },
    since: { type: 'string', description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    tail: { type: 'string', short: 'n', default: 'all', description: 'Number of lines to show from the end of the logs' },
    timestamps: { type: 'boolean', short: 't', description: 'Show timestamps' },
    until: { type: 'string', description: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  },
  async run(ctx, { values, positionals }) {
    const client = await ctx.client();
    const since = str(values, 'since');
    const until = str(values, 'until');
    const response = await client.stream('GET', `/containers/${encodeURIComponent(positionals[0]!)}/logs`, {
      query: {
        stdout: true, stderr: true,
        follow: bool(values, 'follow'),
        since: since ? apiTimestamp(since) : undefined,
        until: until ? apiTimestamp(until) : undefined,
        timestamps: bool(values, 'timestamps'),
        details: bool(values, 'details'),
        tail: str(values, 'tail'),
      },
    });
    const multiplexed = (response.headers['content-type'] ?? '').includes('multiplexed');
    const demuxer = multiplexed ? new StreamDemuxer() : undefined;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (!demuxer) {
        ctx.stdout.write(chunk);
        continue;
      }
      for (const frame of demuxer.push(chunk)) (frame.stream === 2 ? ctx.stderr : ctx.stdout).write(frame.data);
    }
  },
};

/**
 * docker's GetTimestamp: a relative duration ("42m") becomes now minus it, a date or RFC 3339
 * time its unix time, and a unix timestamp ("1700000000.5") stays as it is.
 */
export function apiTimestamp(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    const ns = parseGoDuration(value);
    return toUnix(now * 1e6 - ns);
  }
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
  if (Number.isNaN(parsed)) throw new UsageError(`invalid value for "since"/"until": ${value}`);
  return toUnix(parsed * 1e6);
}

function toUnix(ns: number): string {
  const seconds = Math.floor(ns / 1e9);
  const fraction = Math.round(ns - seconds * 1e9);
  return `${seconds}.${String(fraction).padStart(9, '0')}`;
}
