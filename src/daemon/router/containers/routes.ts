// The container and exec endpoints (Docker Engine API "Container" and "Exec" sections): thin
// adapters from HTTP to the ContainerBackend.
import { InvalidArgument } from '../../../errors.js';
import type { ContainerCreateRequest } from '../../../api/types/container-config.js';
import type { ExecCreateRequest, ExecStartOptions } from '../../engine/container/exec.js';
import { parseLogTime } from '../../engine/container/logs.js';
import type { RequestContext } from '../../server/request-context.js';
import type { Router } from '../../server/router.js';
import { parseFilterParameter } from '../system/event-filters.js';
import type { ContainerBackend } from './backend.js';

const rawStream = 'application/vnd.docker.raw-stream';
const multiplexedStream = 'application/vnd.docker.multiplexed-stream';

function stopOptions(ctx: RequestContext) {
  return { signal: ctx.query.get('signal') ?? undefined, timeout: ctx.integer('t') ?? ctx.integer('timeout') };
}

function dimensions(ctx: RequestContext): { rows: number; columns: number } {
  const rows = ctx.integer('h');
  const columns = ctx.integer('w');
  if (rows === undefined || columns === undefined || rows < 0 || columns < 0) throw new InvalidArgument('resize needs h and w, non-negative integers');
  return { rows, columns };
}

export function containerRoutes(router: Router, containers: ContainerBackend): void {
  router.post('/containers/create', async (ctx) => {
    const body = await ctx.json<ContainerCreateRequest>();
    ctx.sendJson(201, await containers.create(body, ctx.query.get('name') || undefined));
  });
  router.get('/containers/json', (ctx) => {
    ctx.sendJson(200, containers.list({
      all: ctx.flag('all'),
      limit: ctx.integer('limit'),
      filters: parseFilterParameter(ctx.query.get('filters')),
    }));
  });
  router.get('/containers/:id/json', async (ctx) => ctx.sendJson(200, await containers.inspect(ctx.params.id!)));
  router.post('/containers/:id/start', async (ctx) => {
    await containers.start(ctx.params.id!);
    ctx.sendStatus(204);
  });
  router.post('/containers/:id/stop', async (ctx) => {
    await containers.stop(ctx.params.id!, stopOptions(ctx));
    ctx.sendStatus(204);
  });
  router.post('/containers/:id/restart', async (ctx) => {
    await containers.restart(ctx.params.id!, stopOptions(ctx));
    ctx.sendStatus(204);
  });
  router.post('/containers/:id/kill', async (ctx) => {
    await containers.kill(ctx.params.id!, ctx.query.get('signal') || undefined);
    ctx.sendStatus(204);
  });
  router.delete('/containers/:id', async (ctx) => {
    await containers.remove(ctx.params.id!, { force: ctx.flag('force') });
    ctx.sendStatus(204);
  });
  router.post('/containers/:id/wait', async (ctx) => {
    const exit = containers.wait(ctx.params.id!, ctx.query.get('condition') ?? undefined);
    // Headers go out at once: the client sends start only after its wait is in place.
    const out = ctx.startStream('application/json');
    const { exitCode } = await exit;
    out.end(JSON.stringify({ StatusCode: exitCode, Error: null }) + '\n');
  });
  router.get('/containers/:id/logs', async (ctx) => {
    const id = ctx.params.id!;
    const options = {
      stdout: ctx.flag('stdout'),
      stderr: ctx.flag('stderr'),
      follow: ctx.flag('follow'),
      since: parseLogTime(ctx.query.get('since'), 'since'),
      until: parseLogTime(ctx.query.get('until'), 'until'),
      tail: tailOption(ctx.query.get('tail')),
      timestamps: ctx.flag('timestamps'),
    };
    if (!options.stdout && !options.stderr) throw new InvalidArgument('Bad parameters: you must choose at least one stream');
    const out = ctx.startStream(containers.hasTty(id) ? rawStream : multiplexedStream);
    let closed = false;
    ctx.socket.on('close', () => (closed = true));
    await containers.logs(id, options, out as NodeJS.WritableStream as import('node:stream').Writable, () => closed);
    out.end();
  });
  router.post('/containers/:id/attach', async (ctx) => {
    const id = ctx.params.id!;
    await containers.attach(id, {
      stdin: ctx.flag('stdin'),
      stdout: ctx.flag('stdout'),
      stderr: ctx.flag('stderr'),
      stream: ctx.flag('stream'),
      logs: ctx.flag('logs'),
      detachKeys: ctx.query.get('detachKeys') || undefined,
    }, () => ctx.hijack(containers.hasTty(id) ? rawStream : multiplexedStream));
  });
  router.post('/containers/:id/resize', async (ctx) => {
    const { rows, columns } = dimensions(ctx);
    await containers.resize(ctx.params.id!, rows, columns);
    ctx.sendStatus(200);
  });
  router.post('/containers/:id/rename', async (ctx) => {
    const name = ctx.query.get('name');
    if (!name) throw new InvalidArgument('rename needs a name');
    await containers.rename(ctx.params.id!, name);
    ctx.sendStatus(204);
  });
  router.get('/containers/:id/top', async (ctx) => ctx.sendJson(200, await containers.top(ctx.params.id!, ctx.query.get('ps_args') ?? undefined)));
  router.post('/containers/:id/pause', async (ctx) => {
    await containers.pause(ctx.params.id!);
    ctx.sendStatus(204);
  });
  router.post('/containers/:id/unpause', async (ctx) => {
    await containers.unpause(ctx.params.id!);
    ctx.sendStatus(204);
  });
  router.get('/containers/:id/stats', async (ctx) => {
    const stream = ctx.flag('stream', true);
    const oneShot = ctx.flag('one-shot');
    if (stream && oneShot) throw new InvalidArgument('cannot have stream=true and one-shot=true');
    let out: NodeJS.WritableStream | undefined;
    let closed = false;
    const onClose = () => (closed = true);
    ctx.socket.on('close', onClose);
    try {
      // Headers go out with the first object, so that an unknown container is still a 404.
      await containers.stats(ctx.params.id!, { stream, oneShot }, (stats) => {
        out ??= ctx.startStream('application/json');
        out.write(JSON.stringify(stats) + '\n');
      }, () => closed);
      out?.end();
    } finally {
      ctx.socket.off('close', onClose);
    }
  });

  router.post('/containers/:id/exec', async (ctx) => {
    ctx.sendJson(201, await containers.execCreate(ctx.params.id!, await ctx.json<ExecCreateRequest>()));
  });
  router.post('/exec/:id/start', async (ctx) => {
    const options = await ctx.json<ExecStartOptions>();
    const tty = options.Tty ?? false;
    await containers.execStart(ctx.params.id!, options, options.Detach ? undefined : () => ctx.hijack(tty ? rawStream : multiplexedStream));
    if (options.Detach) ctx.sendStatus(200);
  });
  router.post('/exec/:id/resize', async (ctx) => {
    const { rows, columns } = dimensions(ctx);
    await containers.execResize(ctx.params.id!, rows, columns);
    ctx.sendStatus(200);
  });
  router.get('/exec/:id/json', (ctx) => ctx.sendJson(200, containers.execInspect(ctx.params.id!)));
}

function tailOption(text: string | null): number | undefined {
  if (text === null || text === '' || text === 'all') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new InvalidArgument(`invalid value for "tail": ${text}`);
  return n < 0 ? undefined : n;
}
