// System endpoints: /_ping (GET and HEAD) and /version for the client's version negotiation,
// /info, and the /events stream.
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { apiVersion, minApiVersion } from '../../../api/version.js';
import type { Router } from '../../server/router.js';
import type { RequestContext } from '../../server/request-context.js';
import type { EngineEvent, EventBus } from '../../engine/events.js';
import { eventMatches, parseEventFilters } from './event-filters.js';

/** What /info reports beyond the host's own facts. */
export interface SystemBackend {
  readonly version: string;
  readonly events: EventBus;
  info(): Promise<Record<string, unknown>>;
}

const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

function ping(ctx: RequestContext): void {
  ctx.sendText(200, 'text/plain; charset=utf-8', ctx.req.method === 'HEAD' ? '' : 'OK');
}

export function systemRoutes(router: Router, system: SystemBackend): void {
  router.get('/_ping', ping).head('/_ping', ping);
  router.get('/version', (ctx) => ctx.sendJson(200, {
    Platform: { Name: 'berth' },
    Components: [{ Name: 'Engine', Version: system.version, Details: { ApiVersion: apiVersion, MinAPIVersion: minApiVersion, Os: 'linux', Arch: goArch[arch()] ?? arch() } }],
    Version: system.version,
    ApiVersion: apiVersion,
    MinAPIVersion: minApiVersion,
    GitCommit: '',
    GoVersion: `node ${process.version}`,
    Os: 'linux',
    Arch: goArch[arch()] ?? arch(),
    KernelVersion: release(),
    BuildTime: '',
  }));
  router.get('/info', async (ctx) => ctx.sendJson(200, {
    Name: hostname(),
    OperatingSystem: 'linux',
    OSType: 'linux',
    Architecture: arch() === 'x64' ? 'x86_64' : arch(),
    KernelVersion: release(),
    NCPU: cpus().length,
    MemTotal: totalmem(),
    ServerVersion: system.version,
    ...(await system.info()),
  }));
  router.get('/events', (ctx) => streamEvents(ctx, system.events));
}

/** Docker's /events: past events from `since`, then live ones until `until` or disconnect. */
function streamEvents(ctx: RequestContext, events: EventBus): void {
  const filters = parseEventFilters(ctx.query.get('filters'));
  const since = parseEventTime(ctx.query.get('since'));
  const until = parseEventTime(ctx.query.get('until'));
  const out = ctx.startStream('application/json');
  const send = (e: EngineEvent) => {
    if (eventMatches(e, filters)) out.write(JSON.stringify(e) + '\n');
  };
  if (since !== undefined) for (const e of events.since(since)) if (until === undefined || e.timeNano <= until) send(e);
  if (until !== undefined && until <= Date.now() * 1e6) {
    out.end();
    return;
  }
  const unsubscribe = events.subscribe((e) => {
    if (until !== undefined && e.timeNano > until) return;
    send(e);
  });
  const timer = until !== undefined ? setTimeout(() => out.end(), until / 1e6 - Date.now()) : undefined;
  ctx.socket.on('close', () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  });
}

/** Docker's event times: unix seconds with an optional fraction ("1700000000.5"), as ns. */
function parseEventTime(text: string | null): number | undefined {
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.floor(seconds * 1e9);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : date * 1e6;
}
