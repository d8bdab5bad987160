// The image endpoints (Docker Engine API "Image" section, and POST /auth): thin adapters from
// HTTP to the ImageBackend.
import { InvalidArgument } from '../../../errors.js';
import { decodeRegistryAuth, type AuthConfig } from '../../engine/images/registry-auth.js';
import type { RequestContext } from '../../server/request-context.js';
import type { Router } from '../../server/router.js';
import { parseFilterParameter } from '../system/event-filters.js';
import type { ImageBackend } from './backend.js';
import { lazyByteStream, streamJsonMessages } from './streams.js';

function registryAuth(ctx: RequestContext): AuthConfig | undefined {
  const header = ctx.req.headers['x-registry-auth'];
  return decodeRegistryAuth(Array.isArray(header) ? header[0] : header);
}

const optional = (ctx: RequestContext, name: string): string | undefined => ctx.query.get(name) || undefined;

export function imageRoutes(router: Router, images: ImageBackend): void {
  router.post('/images/create', async (ctx) => {
    const fromImage = optional(ctx, 'fromImage');
    const fromSrc = optional(ctx, 'fromSrc');
    if (fromImage !== undefined) {
      const auth = registryAuth(ctx);
      await streamJsonMessages(ctx, (sink) => images.pull({ fromImage, tag: optional(ctx, 'tag'), platform: optional(ctx, 'platform'), auth }, sink));
      return;
    }
    if (fromSrc !== undefined) {
      const request = {
        fromSrc,
        repo: optional(ctx, 'repo'),
        tag: optional(ctx, 'tag'),
        message: optional(ctx, 'message'),
        changes: ctx.query.getAll('changes'),
        platform: optional(ctx, 'platform'),
      };
      await streamJsonMessages(ctx, (sink) => images.importImage(request, ctx.bodyStream, sink));
      return;
    }
    throw new InvalidArgument('either fromImage or fromSrc is required');
  });

  router.get('/images/json', async (ctx) => {
    const filters = parseFilterParameter(ctx.query.get('filters'));
    // API < 1.41 had `filter`, a reference.
    const legacy = optional(ctx, 'filter');
    if (legacy !== undefined) filters.set('reference', [...(filters.get('reference') ?? []), legacy]);
    ctx.sendJson(200, await images.list({ all: ctx.flag('all'), filters }));
  });

  router.get('/images/get', async (ctx) => {
    const names = ctx.query.getAll('names').flatMap((n) => n.split(',')).filter((n) => n !== '');
    await images.save(names, lazyByteStream(ctx, 'application/x-tar'));
  });

  router.post('/images/load', async (ctx) => {
    await streamJsonMessages(ctx, (sink) => images.load(ctx.bodyStream, sink));
  });

  router.post('/images/prune', async (ctx) => {
    ctx.sendJson(200, await images.prune(parseFilterParameter(ctx.query.get('filters'))));
  });

  router.get('/images/:name*/json', async (ctx) => ctx.sendJson(200, await images.inspect(ctx.params.name!)));
  router.get('/images/:name*/history', async (ctx) => ctx.sendJson(200, await images.history(ctx.params.name!)));
  router.get('/images/:name*/get', async (ctx) => {
    await images.save([ctx.params.name!], lazyByteStream(ctx, 'application/x-tar'));
  });

  router.post('/images/:name*/push', async (ctx) => {
    const auth = registryAuth(ctx);
    await streamJsonMessages(ctx, (sink) => images.push({ name: ctx.params.name!, tag: optional(ctx, 'tag'), auth }, sink));
  });

  router.post('/images/:name*/tag', async (ctx) => {
    await images.tag(ctx.params.name!, ctx.query.get('repo') ?? '', optional(ctx, 'tag'));
    ctx.sendStatus(201);
  });

  router.delete('/images/:name*', async (ctx) => {
    ctx.sendJson(200, await images.remove(ctx.params.name!, { force: ctx.flag('force'), noprune: ctx.flag('noprune') }));
  });

  router.post('/auth', async (ctx) => {
    ctx.sendJson(200, await images.login(await ctx.json<AuthConfig>()));
  });
}
