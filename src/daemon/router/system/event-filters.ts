// The filters of /events (type, event/action, container, image, label), as Docker applies
// them: values of one key are alternatives, different keys must all match.
import { InvalidArgument } from '../../../errors.js';
import type { EngineEvent } from '../../engine/events.js';

export type EventFilters = Map<string, string[]>;

/** Docker's `filters` query parameter: {"key": ["v1", "v2"]} or the old {"key": {"v1": true}}. */
export function parseFilterParameter(text: string | null): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  if (!text) return filters;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidArgument(`invalid filter: ${text}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgument(`invalid filter: ${text}`);
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) filters.set(key, value.map(String));
    else if (typeof value === 'object' && value !== null) filters.set(key, Object.keys(value).filter((k) => (value as Record<string, unknown>)[k]));
    else throw new InvalidArgument(`invalid filter "${key}": ${JSON.stringify(value)}`);
  }
  return filters;
}

export function parseEventFilters(text: string | null): EventFilters {
  const filters = parseFilterParameter(text);
  for (const key of filters.keys()) {
    if (!['type', 'event', 'container', 'image', 'label', 'network', 'volume', 'scope', 'daemon'].includes(key)) {
      throw new InvalidArgument(`invalid filter '${key}'`);
    }
  }
  return filters;
}

export function eventMatches(event: EngineEvent, filters: EventFilters): boolean {
  const attrs = event.Actor.Attributes;
  for (const [key, values] of filters) {
    if (values.length === 0) continue;
    const ok = values.some((v) => {
      switch (key) {
        case 'type': return event.Type === v;
        case 'event': return event.Action === v || event.Action.startsWith(`${v}:`);
        case 'container': return event.Type === 'container' && (event.Actor.ID.startsWith(v) || attrs.name === v);
        case 'image': return attrs.image === v || (event.Type === 'image' && (event.Actor.ID === v || attrs.name === v));
        case 'label': {
          const [k, val] = v.split('=', 2) as [string, string | undefined];
          return val === undefined ? k in attrs : attrs[k] === val;
        }
        default: return true;
      }
    });
    if (!ok) return false;
  }
  return true;
}
