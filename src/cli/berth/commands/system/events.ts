// berth events [--since] [--until] [--filter] [--format]: the daemon's events as docker prints
// them: "<time> <type> <action> <id> (k=v, ...)".
import type { CommandDefinition } from '../../command.js';
import { renderOne } from '../../format/render.js';
import { list, str } from '../../options.js';
import { filtersQuery } from '../filters.js';
import { apiTimestamp } from '../container/logs.js';

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
  status?: string;
  id?: string;
}

export const events: CommandDefinition = {
  name: 'events',
  usage: 'events [OPTIONS]',
  description: 'Get real time events from the server',
  args: { max: 0 },
  flags: {
    filter: { type: 'list', short: 'f', valueName: 'filter', description: 'Filter output based on conditions provided' },
    format: { type: 'string', description: 'Format output using a custom template' },
    since: { type: 'string', description: 'Show all events created since timestamp' },
    until: { type: 'string', description: 'Stream events until this timestamp' },
  },
  async run(ctx, { values }) {
    const client = await ctx.client();
    const since = str(values, 'since');
    const until = str(values, 'until');
    const format = str(values, 'format');
    for await (const event of client.messages<EngineEvent>('GET', '/events', {
      query: { since: since ? apiTimestamp(since) : undefined, until: until ? apiTimestamp(until) : undefined, filters: filtersQuery(list(values, 'filter')) },
    })) {
      ctx.stdout.write(format ? renderOne(format, event) : formatEvent(event));
    }
  },
};

export function formatEvent(event: EngineEvent): string {
  const ns = event.timeNano ?? (event.time ?? 0) * 1e9;
  const date = new Date(Math.floor(ns / 1e6));
  const fraction = String(Math.round(ns % 1e9)).padStart(9, '0');
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const time = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${fraction}${zone}`;
  const attributes = event.Actor?.Attributes ?? {};
  const attrs = Object.keys(attributes).sort().map((k) => `${k}=${attributes[k]}`).join(', ');
  return `${time} ${event.Type ?? ''} ${event.Action ?? event.status ?? ''} ${event.Actor?.ID ?? event.id ?? ''}${attrs ? ` (${attrs})` : ''}\n`;
}
