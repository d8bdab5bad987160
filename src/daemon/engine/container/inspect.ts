// `GET /containers/{id}/json` and `GET /containers/json`: a container in Docker's shapes
// (ContainerJSON and the list's Container summary).
import { humanDuration } from '../../../go-units.js';
import type { ContainerContext } from './context.js';
import { logPath } from './context.js';
import { networkSettings, summaryNetworks, summaryPorts } from './network-settings.js';
import type { ContainerRecord } from './record.js';

function bindMounts(record: ContainerRecord) {
  return (record.hostConfig.Binds ?? []).map((bind) => {
    const [source = '', destination = '', mode = ''] = bind.split(':');
    return { Type: 'bind', Source: source, Destination: destination, Mode: mode, RW: !mode.split(',').includes('ro'), Propagation: 'rprivate' };
  });
}

export async function inspectContainer(ctx: ContainerContext, nameOrId: string) {
  const record = ctx.store.get(nameOrId);
  const s = record.state;
  const files = { dir: ctx.store.directory(record.id) };
  return {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: record.args,
    State: {
      Status: s.status,
      Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
    },
    Image: record.image,
    ResolvConfPath: `${files.dir}/resolv.conf`,
    HostnamePath: `${files.dir}/hostname`,
    HostsPath: `${files.dir}/hosts`,
    LogPath: logPath(ctx, record.id),
    Name: `/${record.name}`,
    RestartCount: record.restartCount,
    Driver: record.driver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      ...record.hostConfig,
      LogConfig: record.hostConfig.LogConfig ?? { Type: 'json-file', Config: { 'max-size': String(ctx.config.log.maxSize), 'max-file': String(ctx.config.log.maxFiles) } },
      NetworkMode: record.hostConfig.NetworkMode || 'bridge',
      RestartPolicy: record.hostConfig.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
    },
    GraphDriver: { Name: record.driver, Data: await ctx.images.driver.graphDriverData(record.id).catch(() => ({})) },
    Mounts: bindMounts(record),
    Config: { ...record.config, Image: record.imageName },
    NetworkSettings: networkSettings(ctx, record),
  };
}

/** Docker's Status column: "Up 3 seconds", "Exited (0) 5 minutes ago", "Created". */
export function humanStatus(record: ContainerRecord, now = Date.now()): string {
  const s = record.state;
  switch (s.status) {
    case 'running': return `Up ${humanDuration(now - Date.parse(s.startedAt))}`;
    case 'paused': return `Up ${humanDuration(now - Date.parse(s.startedAt))} (Paused)`;
    case 'restarting': return `Restarting (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
    case 'exited': return `Exited (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
    default: return 'Created';
  }
}

export function containerSummary(ctx: ContainerContext, record: ContainerRecord) {
  const command = [record.path, ...record.args].join(' ');
  return {
    Id: record.id,
    Names: [`/${record.name}`],
    Image: record.imageName,
    ImageID: record.image,
    Command: command,
    Created: Math.floor(Date.parse(record.created) / 1000),
    Ports: summaryPorts(record),
    Labels: record.config.Labels ?? {},
    State: record.state.status,
    Status: humanStatus(record),
    HostConfig: { NetworkMode: record.hostConfig.NetworkMode || 'bridge' },
    NetworkSettings: summaryNetworks(ctx, record),
    Mounts: bindMounts(record),
  };
}
