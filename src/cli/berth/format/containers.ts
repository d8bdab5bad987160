// The fields `docker ps --format` offers for a container (docker/cli formatter/container.go),
// computed from one entry of GET /containers/json.
import { ellipsis, goTimeString, humanSize, timeAgo, truncateId } from './units.js';

export interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created?: number;
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  NetworkSettings?: { Networks?: Record<string, unknown> | null } | null;
  Mounts?: { Name?: string; Source?: string; Type?: string }[] | null;
}

export const containerHeaders: Record<string, string> = {
  ID: 'CONTAINER ID', Names: 'NAMES', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED', Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Labels: 'LABELS',
  Label: 'LABEL', Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES', Networks: 'NETWORKS',
};

export const defaultPsFormat = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
export const defaultPsSizeFormat = `${defaultPsFormat}\t{{.Size}}`;

export interface ContainerRow {
  ID: string; Image: string; Command: string; CreatedAt: string; RunningFor: string; Ports: string;
  State: string; Status: string; Size: string; Names: string; Labels: string; Mounts: string;
  LocalVolumes: string; Networks: string; Label: (name: string) => string;
}

export function containerRow(c: ContainerSummary, trunc: boolean, now = Date.now()): ContainerRow {
  const names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  const shownNames = trunc ? [names.find((n) => !n.includes('/')) ?? names[0]].filter((n): n is string => n !== undefined) : names;
  const labels = c.Labels ?? {};
  const mounts = (c.Mounts ?? []).map((m) => {
    const name = m.Name || m.Source || '';
    return trunc ? ellipsis(name, 15) : name;
  });
  const row: ContainerRow = {
    ID: trunc ? truncateId(c.Id) : c.Id,
    Image: image(c, trunc),
    Command: JSON.stringify(trunc ? ellipsis(c.Command ?? '', 20) : (c.Command ?? '')),
    CreatedAt: goTimeString(new Date((c.Created ?? 0) * 1000)),
    RunningFor: timeAgo(c.Created ?? 0, now),
    Ports: displayablePorts(c.Ports ?? []),
    State: c.State ?? '',
    Status: c.Status ?? '',
    Size: size(c),
    Names: shownNames.join(','),
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    Mounts: mounts.join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Label: (name: string) => labels[name] ?? '',
  };
  return row;
}

function image(c: ContainerSummary, trunc: boolean): string {
  const name = c.Image ?? '';
  if (!name) return '<no image>';
  if (!trunc) return name;
  if (/^sha256:[0-9a-f]{64}$/.test(name) || (c.ImageID && truncateId(c.ImageID) === truncateId(name) && /^(sha256:)?[0-9a-f]{12,}$/.test(name))) return truncateId(name);
  return name.replace(/@sha256:[0-9a-f]{64}$/, '');
}

function size(c: ContainerSummary): string {
  const rw = humanSize(c.SizeRw ?? 0, 3);
  return c.SizeRootFs && c.SizeRootFs > 0 ? `${rw} (virtual ${humanSize(c.SizeRootFs, 3)})` : rw;
}

/** "0.0.0.0:8080->80/tcp, :::8080->80/tcp, 443/tcp" */
export function displayablePorts(ports: NonNullable<ContainerSummary['Ports']>): string {
  const sorted = [...ports].sort((a, b) => (a.Type ?? '').localeCompare(b.Type ?? '') || a.PrivatePort - b.PrivatePort || (a.IP ?? '').localeCompare(b.IP ?? ''));
  return sorted.map((p) => {
    if (p.PublicPort === undefined || p.PublicPort === 0 && !p.IP) return `${p.PrivatePort}/${p.Type}`;
    const ip = p.IP?.includes(':') ? `[${p.IP}]` : (p.IP ?? '');
    return `${ip}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`;
  }).join(', ');
}
