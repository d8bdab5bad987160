// `POST /containers/create`: resolves the image (NotFound lets the client pull and retry),
// merges the image's defaults into the config, claims the name, and makes the container's
// writable layer. Nothing runs until start.
import { randomBytes } from 'node:crypto';
import type { ContainerConfig, ContainerCreateRequest, HostConfig } from '../../../api/types/container-config.js';
import { InvalidArgument } from '../../../errors.js';
import { eventAttributes, type ContainerContext } from './context.js';
import { checkContainerSettings } from './spec/build.js';
import { commandArgs, mergeImageDefaults } from './spec/process.js';
import { generateName } from './names.js';
import { initialState, type ContainerRecord } from './record.js';
import { checkContainerName } from './store.js';

export interface CreateResult {
  Id: string;
  Warnings: string[];
}

export async function createContainer(ctx: ContainerContext, request: ContainerCreateRequest, name: string | undefined): Promise<CreateResult> {
  const { HostConfig: requestedHostConfig = {}, NetworkingConfig: networkingConfig, ...config } = request;
  if (!config.Image) throw new InvalidArgument('No image specified: Config.Image is required');
  const runtime = requestedHostConfig.Runtime || ctx.config.defaultRuntime;
  if (runtime !== 'berth' && !ctx.config.runtimes[runtime]) {
    throw new InvalidArgument(`unknown or invalid runtime name: ${runtime}`);
  }
  await checkHostConfig(ctx, config, requestedHostConfig);
  const networkPlan = ctx.networking.plan({ HostConfig: requestedHostConfig, NetworkingConfig: networkingConfig, Labels: config.Labels });
  const hostConfig: HostConfig = { ...requestedHostConfig, NetworkMode: networkPlan.networkMode };
  const requestedName = name ? checkContainerName(name) : undefined;
  // Recorded while imageForContainer holds the image's layers and config: from then on the
  // container holds them, even through an `rmi -f` of the image.
  const imageName = config.Image;
  const { image, record } = await ctx.images.imageForContainer(imageName, async (image) => {
    const defaults = image.config.config;
    const merged = mergeImageDefaults(config, defaults);
    // What inspect shows: the image's labels, ports and volumes under the container's own.
    merged.Labels = { ...(defaults?.Labels ?? {}), ...(config.Labels ?? {}) };
    if (defaults?.ExposedPorts) merged.ExposedPorts = { ...defaults.ExposedPorts, ...(config.ExposedPorts ?? {}) };
    if (defaults?.Volumes) merged.Volumes = { ...defaults.Volumes, ...(config.Volumes ?? {}) };
    const [path = '', ...args] = commandArgs(merged);
    const id = randomBytes(32).toString('hex');
    const record: ContainerRecord = {
      id,
      // A generated name is picked here, with no await before store.add claims it: creates
      // running side by side must not both pick the same free name.
      name: requestedName ?? generateName((n) => ctx.store.byName(n) !== undefined),
      created: new Date().toISOString(),
      image: image.record.id,
      imageName,
      config: { ...merged, Hostname: merged.Hostname || id.slice(0, 12) },
      hostConfig: { ...hostConfig, Runtime: runtime },
      path,
      args,
      runtime,
      driver: ctx.images.driver.name,
      state: initialState(),
      restartCount: 0,
      networks: networkPlan.networks,
    };
    await ctx.store.add(record);
    return { image, record };
  });
  const id = record.id;
  try {
    await ctx.images.driver.createContainerLayer(id, image.topChainId);
  } catch (err) {
    await ctx.store.remove(id);
    await ctx.images.containerRemoved(record.image).catch(() => {});
    throw err;
  }
  ctx.events.publish('container', 'create', id, eventAttributes(record));
  return { Id: id, Warnings: [] };
}

/** What dockerd refuses at create: the restart policy, and every setting start would refuse. */
async function checkHostConfig(ctx: ContainerContext, config: ContainerConfig, hostConfig: HostConfig): Promise<void> {
  const restart = hostConfig.RestartPolicy?.Name ?? '';
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(restart)) {
    throw new InvalidArgument(`invalid restart policy '${restart}'`);
  }
  if (hostConfig.AutoRemove && restart !== '' && restart !== 'no') {
    throw new InvalidArgument('can\'t create \'AutoRemove\' container with restart policy');
  }
  await checkContainerSettings({ config, hostConfig, containerExists: (nameOrId) => ctx.store.find(nameOrId) !== undefined });
}
