// The create step shared by `run` and `create`: POST /containers/create, and when the image
// is missing (404 "No such image"), "Unable to find image" and a pull with progress on
// stderr, then the create again — docker's --pull missing. --pull always pulls first.
import { ApiError, type ApiClient } from '../../../../api/client.js';
import type { CommandContext } from '../../command.js';
import type { CreatePlan } from '../../container-options.js';
import { familiarTagged, pullImage } from '../../image-pull.js';

export async function createContainer(ctx: CommandContext, client: ApiClient, plan: CreatePlan, quiet: boolean): Promise<string> {
  const progress = quiet ? undefined : ctx.stderr;
  if (plan.pull === 'always') await pullImage(client, ctx.configDir, plan.image, { platform: plan.platform, out: progress });
  const create = () => client.json<{ Id: string; Warnings?: string[] | null }>('POST', '/containers/create', {
    query: { name: plan.name, platform: plan.platform },
    body: plan.body,
  });
  let created: { Id: string; Warnings?: string[] | null };
  try {
    created = await create();
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404 || !/no such image/i.test(err.message) || plan.pull !== 'missing') throw err;
    ctx.stderr.write(`Unable to find image '${familiarTagged(plan.image)}' locally\n`);
    await pullImage(client, ctx.configDir, plan.image, { platform: plan.platform, out: progress });
    created = await create();
  }
  for (const warning of created.Warnings ?? []) ctx.stderr.write(`WARNING: ${warning}\n`);
  return created.Id;
}
