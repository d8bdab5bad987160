// The network endpoints (Docker Engine API "Network" section): thin adapters to NetworkBackend.
import type { NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest } from '../../../api/types/network.js';
import type { Router } from '../../server/router.js';
import { parseFilterParameter } from '../system/event-filters.js';
import type { NetworkBackend } from './backend.js';

export function networkRoutes(router: Router, networks: NetworkBackend): void {
  router.get('/networks', (ctx) => ctx.sendJson(200, networks.list(parseFilterParameter(ctx.query.get('filters')))));
  router.post('/networks/create', async (ctx) => ctx.sendJson(201, await networks.create(await ctx.json<NetworkCreateRequest>())));
  router.post('/networks/prune', async (ctx) => ctx.sendJson(200, await networks.prune(parseFilterParameter(ctx.query.get('filters')))));
  router.get('/networks/:id', (ctx) => ctx.sendJson(200, networks.inspect(ctx.params.id!)));
  router.delete('/networks/:id', async (ctx) => {
    await networks.remove(ctx.params.id!);
    ctx.sendStatus(204);
  });
  router.post('/networks/:id/connect', async (ctx) => {
    await networks.connect(ctx.params.id!, await ctx.json<NetworkConnectRequest>());
    ctx.sendStatus(200);
  });
  router.post('/networks/:id/disconnect', async (ctx) => {
    await networks.disconnect(ctx.params.id!, await ctx.json<NetworkDisconnectRequest>());
    ctx.sendStatus(200);
  });
}
