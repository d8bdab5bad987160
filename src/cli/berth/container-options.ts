// `docker run` / `docker create` flags and how they become the body of POST /containers/create
// (Config + HostConfig + NetworkingConfig), as docker/cli's cli/command/container/opts.go
// builds it. Parsing of each value kind (-p, -v, --mount, --tmpfs, --ulimit, env files) is
// exported for the unit tests.
import { readFileSync } from 'node:fs';
import type { ContainerCreateRequest, HostConfig, Mount, PortBinding, Ulimit, EmptySet, DeviceMapping } from '../../api/types/container-config.js';
import { UsageError } from '../exit.js';
import { bool, int, list, str, type FlagSpecs, type FlagValues } from './options.js';
import { ramInBytes } from './format/units.js';

const s = (description: string, extra: Partial<FlagSpecs[string]> = {}) => ({ type: 'string' as const, description, ...extra });
const b = (description: string, extra: Partial<FlagSpecs[string]> = {}) => ({ type: 'boolean' as const, description, ...extra });
const l = (description: string, extra: Partial<FlagSpecs[string]> = {}) => ({ type: 'list' as const, description, ...extra });

/** The flags run and create share (run adds --detach, --rm is shared, --sig-proxy...). */
export const containerFlags: FlagSpecs = {
  'add-host': l('Add a custom host-to-IP mapping (host:ip)'),
  annotation: l('Add an annotation to the container (passed through to the OCI runtime)', { hidden: true }),
  attach: l('Attach to STDIN, STDOUT or STDERR', { short: 'a' }),
  'blkio-weight': s('Block IO (relative weight), between 10 and 1000, or 0 to disable', { valueName: 'uint16' }),
  'cap-add': l('Add Linux capabilities'),
  'cap-drop': l('Drop Linux capabilities'),
  'cgroup-parent': s('Optional parent cgroup for the container'),
  cgroupns: s('Cgroup namespace to use (host|private)'),
  cidfile: s('Write the container ID to the file'),
  'cpu-period': s('Limit CPU CFS (Completely Fair Scheduler) period', { valueName: 'int' }),
  'cpu-quota': s('Limit CPU CFS (Completely Fair Scheduler) quota', { valueName: 'int' }),
  'cpu-rt-period': s('Limit CPU real-time period in microseconds', { valueName: 'int' }),
  'cpu-rt-runtime': s('Limit CPU real-time runtime in microseconds', { valueName: 'int' }),
  'cpu-shares': s('CPU shares (relative weight)', { short: 'c', valueName: 'int' }),
  cpus: s('Number of CPUs', { valueName: 'decimal' }),
  'cpuset-cpus': s('CPUs in which to allow execution (0-3, 0,1)'),
  'cpuset-mems': s('MEMs in which to allow execution (0-3, 0,1)'),
  device: l('Add a host device to the container'),
  'device-cgroup-rule': l('Add a rule to the cgroup allowed devices list'),
  dns: l('Set custom DNS servers'),
  'dns-option': l('Set DNS options'),
  'dns-search': l('Set custom DNS search domains'),
  domainname: s('Container NIS domain name'),
  entrypoint: s('Overwrite the default ENTRYPOINT of the image'),
  env: l('Set environment variables', { short: 'e' }),
  'env-file': l('Read in a file of environment variables'),
  expose: l('Expose a port or a range of ports'),
  'group-add': l('Add additional groups to join'),
  'health-cmd': s('Command to run to check health'),
  'health-interval': s('Time between running the check (ms|s|m|h) (default 0s)', { valueName: 'duration' }),
  'health-retries': s('Consecutive failures needed to report unhealthy', { valueName: 'int' }),
  'health-start-interval': s('Time between running the check during the start period (ms|s|m|h) (default 0s)', { valueName: 'duration' }),
  'health-start-period': s('Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)', { valueName: 'duration' }),
  'health-timeout': s('Maximum time to allow one check to run (ms|s|m|h) (default 0s)', { valueName: 'duration' }),
  hostname: s('Container host name', { short: 'h' }),
  init: b('Run an init inside the container that forwards signals and reaps processes'),
  interactive: b('Keep STDIN open even if not attached', { short: 'i' }),
  ip: s('IPv4 address (e.g., 172.30.100.104)'),
  ip6: s('IPv6 address (e.g., 2001:db8::33)'),
  ipc: s('IPC mode to use'),
  isolation: s('Container isolation technology'),
  label: l('Set meta data on a container', { short: 'l' }),
  'label-file': l('Read in a line delimited file of labels'),
  link: l('Add link to another container'),
  'log-driver': s('Logging driver for the container'),
  'log-opt': l('Log driver options'),
  'mac-address': s('Container MAC address (e.g., 92:d0:c6:0a:29:33)'),
  memory: s('Memory limit', { short: 'm', valueName: 'bytes' }),
  'memory-reservation': s('Memory soft limit', { valueName: 'bytes' }),
  'memory-swap': s("Swap limit equal to memory plus swap: '-1' to enable unlimited swap", { valueName: 'bytes' }),
  'memory-swappiness': s('Tune container memory swappiness (0 to 100)', { valueName: 'int' }),
  mount: l('Attach a filesystem mount to the container', { valueName: 'mount' }),
  name: s('Assign a name to the container'),
  network: s('Connect a container to a network', { valueName: 'network' }),
  net: s('Connect a container to a network', { hidden: true }),
  'network-alias': l('Add network-scoped alias for the container'),
  'network-rate': s("Limit the container's bandwidth each way (berth: 10mbit, 1gbit, 5mbps)", { valueName: 'rate' }),
  'no-healthcheck': b('Disable any container-specified HEALTHCHECK'),
  'oom-kill-disable': b('Disable OOM Killer'),
  'oom-score-adj': s("Tune host's OOM preferences (-1000 to 1000)", { valueName: 'int' }),
  pid: s('PID namespace to use'),
  'pids-limit': s('Tune container pids limit (set -1 for unlimited)', { valueName: 'int' }),
  platform: s('Set platform if server is multi-platform capable'),
  privileged: b('Give extended privileges to this container'),
  publish: l("Publish a container's port(s) to the host", { short: 'p' }),
  'publish-all': b('Publish all exposed ports to random ports', { short: 'P' }),
  pull: s('Pull image before running ("always", "missing", "never")', { default: 'missing' }),
  quiet: b('Suppress the pull output', { short: 'q' }),
  'read-only': b("Mount the container's root filesystem as read only"),
  restart: s('Restart policy to apply when a container exits', { default: 'no' }),
  rm: b('Automatically remove the container and its associated anonymous volumes when it exits'),
  runtime: s('Runtime to use for this container'),
  'security-opt': l('Security Options'),
  'shm-size': s('Size of /dev/shm', { valueName: 'bytes' }),
  'stop-signal': s('Signal to stop the container'),
  'stop-timeout': s('Timeout (in seconds) to stop a container', { valueName: 'int' }),
  'storage-opt': l('Storage driver options for the container'),
  sysctl: l('Sysctl options', { valueName: 'map' }),
  tmpfs: l('Mount a tmpfs directory'),
  tty: b('Allocate a pseudo-TTY', { short: 't' }),
  ulimit: l('Ulimit options', { valueName: 'ulimit' }),
  user: s('Username or UID (format: <name|uid>[:<group|gid>])', { short: 'u' }),
  userns: s('User namespace to use'),
  uts: s('UTS namespace to use'),
  volume: l('Bind mount a volume', { short: 'v' }),
  'volumes-from': l('Mount volumes from the specified container(s)'),
  workdir: s('Working directory inside the container', { short: 'w' }),
};

export interface CreatePlan {
  body: ContainerCreateRequest;
  name: string | undefined;
  platform: string | undefined;
  pull: 'missing' | 'always' | 'never';
  image: string;
}

// ---- value parsers ----

/** `docker run -p`: "[ip:][hostPort:]containerPort[/proto]", ports may be ranges. */
export function parsePortSpec(spec: string): { exposed: string[]; bindings: Record<string, PortBinding[]> } {
  let rest = spec;
  let proto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    proto = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new UsageError(`invalid proto: ${proto}`);
  }
  let ip = '';
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  let parts: string[];
  if (v6) {
    ip = v6[1]!;
    parts = v6[2]!.split(':');
    if (parts.length !== 2) throw new UsageError(`invalid port format for --publish: ${spec}`);
  } else {
    parts = rest.split(':');
    if (parts.length === 3) ip = parts.shift()!;
    else if (parts.length > 3) throw new UsageError(`invalid port format for --publish: ${spec}`);
  }
  const containerPart = parts[parts.length - 1]!;
  const hostPart = parts.length === 2 ? parts[0]! : '';
  const containerRange = portRange(containerPart, spec);
  const hostRange = hostPart ? portRange(hostPart, spec) : undefined;
  if (hostRange && hostRange.length !== containerRange.length && hostRange.length !== 1) {
    throw new UsageError(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
  }
  const exposed: string[] = [];
  const bindings: Record<string, PortBinding[]> = {};
  containerRange.forEach((port, i) => {
    const key = `${port}/${proto}`;
    exposed.push(key);
    let hostPort = '';
    if (hostRange) hostPort = hostRange.length === 1 && containerRange.length > 1 ? `${hostPart}` : String(hostRange[i]);
    (bindings[key] ??= []).push({ HostIp: ip, HostPort: hostPort });
  });
  return { exposed, bindings };
}

function portRange(text: string, spec: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`invalid containerPort: ${text}`.replace('containerPort', spec.includes(`${text}:`) ? 'hostPort' : 'containerPort'));
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : start;
  if (end < start || end > 65535) throw new UsageError(`invalid port range: ${text}`);
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

/** `-v`: a bind or named volume ("src:/dst[:opts]") or an anonymous volume ("/dst"). */
export function parseVolume(spec: string): { bind?: string; volume?: string } {
  const parts = spec.split(':');
  if (parts.length === 1) {
    if (!spec.startsWith('/')) throw new UsageError(`invalid volume specification: '${spec}': invalid mount config for type "volume": invalid mount path: '${spec}' mount path must be absolute`);
    return { volume: spec };
  }
  if (parts.length > 3 || parts[0] === '' || parts[1] === '') throw new UsageError(`invalid volume specification: '${spec}'`);
  if (!parts[1]!.startsWith('/')) throw new UsageError(`invalid volume specification: '${spec}': invalid mount config for type "bind": invalid mount path: '${parts[1]}' mount path must be absolute`);
  return { bind: spec };
}

/** `--mount type=bind,source=/a,target=/b,readonly` (bind, volume, tmpfs). */
export function parseMount(spec: string): Mount {
  const mount: Mount = {};
  const fields = splitCsv(spec);
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    const need = () => {
      if (value === undefined) throw new UsageError(`invalid field '${field}' must be a key=value pair`);
      return value;
    };
    switch (key) {
      case 'type': mount.Type = need() as Mount['Type']; break;
      case 'source': case 'src': mount.Source = need(); break;
      case 'target': case 'dst': case 'destination': mount.Target = need(); break;
      case 'readonly': case 'ro': mount.ReadOnly = value === undefined ? true : parseBoolField(key, value); break;
      case 'consistency': mount.Consistency = need(); break;
      case 'bind-propagation': (mount.BindOptions ??= {}).Propagation = need() as never; break;
      case 'bind-nonrecursive': (mount.BindOptions ??= {}).NonRecursive = value === undefined ? true : parseBoolField(key, value); break;
      case 'bind-recursive': {
        const v = need();
        if (v === 'disabled') (mount.BindOptions ??= {}).NonRecursive = true;
        else if (v === 'writable') (mount.BindOptions ??= {}).ReadOnlyNonRecursive = true;
        else if (v === 'readonly') (mount.BindOptions ??= {}).ReadOnlyForceRecursive = true;
        else if (v !== 'enabled') throw new UsageError(`invalid value for ${key}: ${v}`);
        break;
      }
      case 'bind-create-mountpoint': (mount.BindOptions ??= {}).CreateMountpoint = value === undefined ? true : parseBoolField(key, value); break;
      case 'volume-nocopy': (mount.VolumeOptions ??= {}).NoCopy = value === undefined ? true : parseBoolField(key, value); break;
      case 'volume-subpath': (mount.VolumeOptions ??= {}).Subpath = need(); break;
      case 'volume-label': {
        const [k, v = ''] = splitOnce(need());
        ((mount.VolumeOptions ??= {}).Labels ??= {})[k] = v;
        break;
      }
      case 'volume-driver': ((mount.VolumeOptions ??= {}).DriverConfig ??= {}).Name = need(); break;
      case 'volume-opt': {
        const [k, v = ''] = splitOnce(need());
        (((mount.VolumeOptions ??= {}).DriverConfig ??= {}).Options ??= {})[k] = v;
        break;
      }
      case 'tmpfs-size': (mount.TmpfsOptions ??= {}).SizeBytes = ramInBytesOrUsage(need()); break;
      case 'tmpfs-mode': {
        const mode = parseInt(need(), 8);
        if (Number.isNaN(mode)) throw new UsageError(`invalid value for ${key}: ${value}`);
        (mount.TmpfsOptions ??= {}).Mode = mode;
        break;
      }
      default: throw new UsageError(`unexpected key '${key}' in '${field}'`);
    }
  }
  mount.Type ??= 'volume';
  if (!mount.Target) throw new UsageError('target is required');
  if (mount.Type === 'bind' && !mount.Source) throw new UsageError('source is required when specifying bind mounts');
  if (mount.Type !== 'bind' && mount.BindOptions) throw new UsageError(`cannot mix 'bind-*' options with mount type '${mount.Type}'`);
  if (mount.Type !== 'volume' && mount.VolumeOptions) throw new UsageError(`cannot mix 'volume-*' options with mount type '${mount.Type}'`);
  if (mount.Type !== 'tmpfs' && mount.TmpfsOptions) throw new UsageError(`cannot mix 'tmpfs-*' options with mount type '${mount.Type}'`);
  return mount;
}

function splitCsv(text: string): string[] {
  // docker reads --mount as a CSV record: fields may be quoted to hold commas.
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      if (quoted && text[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        quoted = !quoted;
      }
    } else if (c === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields.filter((f) => f !== '');
}

function splitOnce(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}

function parseBoolField(key: string, value: string): boolean {
  if (['1', 'true', 'True', 'TRUE', 't'].includes(value)) return true;
  if (['0', 'false', 'False', 'FALSE', 'f'].includes(value)) return false;
  throw new UsageError(`invalid value for ${key}: ${value}`);
}

/** `--tmpfs /run:rw,size=64m` → ["/run", "rw,size=64m"]. */
export function parseTmpfs(spec: string): [string, string] {
  const colon = spec.indexOf(':');
  const path = colon < 0 ? spec : spec.slice(0, colon);
  if (!path.startsWith('/')) throw new UsageError(`invalid tmpfs path: ${path}: must be absolute`);
  return [path, colon < 0 ? '' : spec.slice(colon + 1)];
}

/** `--ulimit nofile=1024:2048` (hard defaults to soft; -1 is unlimited). */
export function parseUlimit(spec: string): Ulimit {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(spec);
  if (!m) throw new UsageError(`invalid ulimit argument: ${spec}`);
  const soft = Number(m[2]);
  const hard = m[3] === undefined ? soft : Number(m[3]);
  if (soft > hard && hard !== -1) throw new UsageError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: m[1]!, Soft: soft, Hard: hard };
}

/**
 * docker's env files: one VAR=value a line, blank lines and # comments skipped, leading
 * whitespace dropped; a bare VAR takes the value from berth's own environment, or is left out.
 */
export function parseEnvFile(text: string, lookup: (name: string) => string | undefined = (n) => process.env[n], path = 'env file'): string[] {
  const lines: string[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    if (name === '') throw new UsageError(`${path}: line ${index + 1}: no variable name on line '${raw}'`);
    if (/\s/.test(name)) throw new UsageError(`${path}: variable '${name}' contains whitespaces`);
    if (eq >= 0) lines.push(line);
    else {
      const value = lookup(name);
      if (value !== undefined) lines.push(`${name}=${value}`);
    }
  });
  return lines;
}

/** `-e VAR`: the value from berth's environment, as docker does; "VAR" alone when unset. */
export function parseEnvFlag(spec: string, lookup: (name: string) => string | undefined = (n) => process.env[n]): string {
  if (spec.startsWith('=')) throw new UsageError(`invalid environment variable: ${spec}`);
  if (spec.includes('=')) return spec;
  const value = lookup(spec);
  return value === undefined ? spec : `${spec}=${value}`;
}

/** `--restart on-failure:3` */
export function parseRestart(spec: string): { Name: string; MaximumRetryCount: number } {
  const [name, count] = spec.split(':') as [string, string | undefined];
  if (!['no', 'always', 'unless-stopped', 'on-failure', ''].includes(name)) throw new UsageError(`invalid restart policy: ${spec}`);
  if (count !== undefined) {
    if (name !== 'on-failure') throw new UsageError(`invalid restart policy format: maximum retry count can only be used with 'on-failure'`);
    if (!/^\d+$/.test(count)) throw new UsageError(`invalid restart policy format: maximum retry count must be an integer`);
  }
  return { Name: name, MaximumRetryCount: count ? Number(count) : 0 };
}

/** Go durations: "1m30s", "500ms", "2h". In nanoseconds. */
export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || text === '') throw new UsageError(`time: invalid duration "${text}"`);
  return Math.round(total);
}

/** `--device /dev/x[:/dev/y][:rwm]` */
export function parseDevice(spec: string): DeviceMapping {
  const parts = spec.split(':');
  const permissions = parts.length > 1 && /^[rwm]+$/.test(parts[parts.length - 1]!) ? parts.pop()! : 'rwm';
  return { PathOnHost: parts[0]!, PathInContainer: parts[1] ?? parts[0]!, CgroupPermissions: permissions };
}

function ramInBytesOrUsage(text: string, flag = 'size'): number {
  try {
    return ramInBytes(text);
  } catch {
    throw new UsageError(`invalid argument "${text}" for "${flag}" flag: invalid size: '${text}'`);
  }
}

function keyValues(items: string[], flag: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const item of items) {
    const [k, v] = splitOnce(item);
    if (v === undefined && flag === 'sysctl') throw new UsageError(`invalid argument "${item}" for "--${flag}" flag: ${item} is not a valid key=value pair`);
    map[k] = v ?? '';
  }
  return map;
}

// ---- the create body ----

export interface TerminalInfo {
  /** [rows, columns] of berth's stdout when it is a terminal. */
  size?: [number, number] | undefined;
}

/** Builds the create request from parsed run/create flags; `args` starts with the image. */
export function buildCreatePlan(values: FlagValues, args: string[], options: { detach: boolean; terminal?: TerminalInfo } = { detach: true }): CreatePlan {
  const image = args[0];
  if (!image) throw new UsageError('requires at least 1 argument');
  const cmd = args.slice(1);
  const attach = list(values, 'attach').map((a) => a.toLowerCase());
  for (const a of attach) if (!['stdin', 'stdout', 'stderr'].includes(a)) throw new UsageError(`invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  if (options.detach && attach.length) throw new UsageError('Conflicting options: -a and -d');
  const interactive = bool(values, 'interactive');
  const tty = bool(values, 'tty');
  let attachStdin = false;
  let attachStdout = false;
  let attachStderr = false;
  if (!options.detach) {
    if (attach.length) {
      attachStdin = attach.includes('stdin');
      attachStdout = attach.includes('stdout');
      attachStderr = attach.includes('stderr');
    } else {
      attachStdin = interactive;
      attachStdout = true;
      attachStderr = true;
    }
  }

  const env: string[] = [];
  for (const file of list(values, 'env-file')) env.push(...parseEnvFile(readText(file), undefined, file));
  for (const e of list(values, 'env')) env.push(parseEnvFlag(e));

  const labels: Record<string, string> = {};
  for (const file of list(values, 'label-file')) {
    for (const line of parseEnvFile(readText(file), () => undefined, file)) Object.assign(labels, keyValues([line], 'label'));
    for (const bare of readText(file).split('\n').map((x) => x.trim()).filter((x) => x && !x.startsWith('#') && !x.includes('='))) labels[bare] = '';
  }
  Object.assign(labels, keyValues(list(values, 'label'), 'label'));

  const exposed: EmptySet = {};
  const portBindings: Record<string, PortBinding[]> = {};
  for (const p of list(values, 'publish')) {
    const parsed = parsePortSpec(p);
    for (const key of parsed.exposed) exposed[key] = {};
    for (const [key, bindings] of Object.entries(parsed.bindings)) (portBindings[key] ??= []).push(...bindings);
  }
  for (const e of list(values, 'expose')) {
    const [port, proto = 'tcp'] = e.split('/') as [string, string | undefined];
    for (const n of portRange(port, e)) exposed[`${n}/${proto}`] = {};
  }

  const binds: string[] = [];
  const volumes: EmptySet = {};
  for (const v of list(values, 'volume')) {
    const parsed = parseVolume(v);
    if (parsed.bind) binds.push(parsed.bind);
    if (parsed.volume) volumes[parsed.volume] = {};
  }
  const mounts = list(values, 'mount').map(parseMount);
  const tmpfs: Record<string, string> = {};
  for (const t of list(values, 'tmpfs')) {
    const [path, opts] = parseTmpfs(t);
    tmpfs[path] = opts;
  }

  const securityOpt = list(values, 'security-opt').map(readSeccompProfile);

  const entrypoint = str(values, 'entrypoint');
  const stopTimeout = int(values, 'stop-timeout');
  const memory = sizeFlag(values, 'memory');
  const memorySwapText = str(values, 'memory-swap');
  const cpus = str(values, 'cpus');
  let nanoCpus: number | undefined;
  if (cpus !== undefined) {
    const n = Number(cpus);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`invalid argument "${cpus}" for "--cpus" flag: failed to parse ${cpus} as a rational number`);
    nanoCpus = Math.round(n * 1e9);
  }
  const network = str(values, 'network') ?? str(values, 'net');
  const logOpts = keyValues(list(values, 'log-opt'), 'log-opt');
  const logDriver = str(values, 'log-driver');

  const hostConfig: HostConfig = {
    Binds: binds.length ? binds : null,
    ContainerIDFile: str(values, 'cidfile') ?? '',
    LogConfig: { Type: logDriver ?? '', Config: Object.keys(logOpts).length ? logOpts : {} },
    NetworkMode: network ?? 'default',
    PortBindings: Object.keys(portBindings).length ? portBindings : {},
    RestartPolicy: parseRestart(str(values, 'restart') ?? 'no'),
    AutoRemove: bool(values, 'rm'),
    VolumeDriver: '',
    VolumesFrom: list(values, 'volumes-from').length ? list(values, 'volumes-from') : null,
    ConsoleSize: tty && options.terminal?.size ? options.terminal.size : [0, 0],
    CapAdd: list(values, 'cap-add').length ? list(values, 'cap-add') : null,
    CapDrop: list(values, 'cap-drop').length ? list(values, 'cap-drop') : null,
    CgroupnsMode: str(values, 'cgroupns') ?? '',
    Dns: list(values, 'dns'),
    DnsOptions: list(values, 'dns-option'),
    DnsSearch: list(values, 'dns-search'),
    ExtraHosts: list(values, 'add-host').length ? list(values, 'add-host').map((h) => h.replace('=', ':')) : null,
    GroupAdd: list(values, 'group-add').length ? list(values, 'group-add') : null,
    IpcMode: str(values, 'ipc') ?? '',
    Cgroup: '',
    Links: list(values, 'link').length ? list(values, 'link') : null,
    OomScoreAdj: int(values, 'oom-score-adj') ?? 0,
    PidMode: str(values, 'pid') ?? '',
    Privileged: bool(values, 'privileged'),
    PublishAllPorts: bool(values, 'publish-all'),
    ...(str(values, 'network-rate') !== undefined && { NetworkRate: str(values, 'network-rate') }),
    ReadonlyRootfs: bool(values, 'read-only'),
    SecurityOpt: securityOpt.length ? securityOpt : null,
    StorageOpt: list(values, 'storage-opt').length ? keyValues(list(values, 'storage-opt'), 'storage-opt') : undefined,
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    UTSMode: str(values, 'uts') ?? '',
    UsernsMode: str(values, 'userns') ?? '',
    ShmSize: sizeFlag(values, 'shm-size') ?? 0,
    Sysctls: list(values, 'sysctl').length ? keyValues(list(values, 'sysctl'), 'sysctl') : undefined,
    Runtime: str(values, 'runtime'),
    Isolation: str(values, 'isolation') ?? '',
    CpuShares: int(values, 'cpu-shares') ?? 0,
    Memory: memory ?? 0,
    NanoCpus: nanoCpus ?? 0,
    CgroupParent: str(values, 'cgroup-parent') ?? '',
    BlkioWeight: int(values, 'blkio-weight') ?? 0,
    CpuPeriod: int(values, 'cpu-period') ?? 0,
    CpuQuota: int(values, 'cpu-quota') ?? 0,
    CpuRealtimePeriod: int(values, 'cpu-rt-period') ?? 0,
    CpuRealtimeRuntime: int(values, 'cpu-rt-runtime') ?? 0,
    CpusetCpus: str(values, 'cpuset-cpus') ?? '',
    CpusetMems: str(values, 'cpuset-mems') ?? '',
    Devices: list(values, 'device').map(parseDevice),
    DeviceCgroupRules: list(values, 'device-cgroup-rule').length ? list(values, 'device-cgroup-rule') : null,
    MemoryReservation: sizeFlag(values, 'memory-reservation') ?? 0,
    MemorySwap: memorySwapText === '-1' ? -1 : (sizeFlag(values, 'memory-swap') ?? 0),
    MemorySwappiness: int(values, 'memory-swappiness') ?? null,
    OomKillDisable: bool(values, 'oom-kill-disable'),
    PidsLimit: int(values, 'pids-limit') ?? null,
    Ulimits: list(values, 'ulimit').length ? list(values, 'ulimit').map(parseUlimit) : null,
    Mounts: mounts.length ? mounts : undefined,
    Annotations: list(values, 'annotation').length ? keyValues(list(values, 'annotation'), 'annotation') : undefined,
    ...(bool(values, 'init') && { Init: true }),
  };
  for (const key of Object.keys(hostConfig) as (keyof HostConfig)[]) if (hostConfig[key] === undefined) delete hostConfig[key];

  const healthCmd = str(values, 'health-cmd');
  let healthcheck: ContainerCreateRequest['Healthcheck'];
  if (bool(values, 'no-healthcheck')) {
    healthcheck = { Test: ['NONE'] };
  } else if (healthCmd !== undefined || ['health-interval', 'health-timeout', 'health-retries', 'health-start-period', 'health-start-interval'].some((k) => str(values, k) !== undefined)) {
    healthcheck = {
      ...(healthCmd !== undefined && { Test: ['CMD-SHELL', healthCmd] }),
      Interval: durationFlag(values, 'health-interval'),
      Timeout: durationFlag(values, 'health-timeout'),
      StartPeriod: durationFlag(values, 'health-start-period'),
      StartInterval: durationFlag(values, 'health-start-interval'),
      Retries: int(values, 'health-retries') ?? 0,
    };
  }

  const body: ContainerCreateRequest = {
    Hostname: str(values, 'hostname') ?? '',
    Domainname: str(values, 'domainname') ?? '',
    User: str(values, 'user') ?? '',
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ...(Object.keys(exposed).length && { ExposedPorts: exposed }),
    Tty: tty,
    OpenStdin: interactive,
    StdinOnce: interactive && attachStdin,
    Env: env,
    Cmd: cmd.length ? cmd : null,
    ...(healthcheck && { Healthcheck: healthcheck }),
    Image: image,
    Volumes: Object.keys(volumes).length ? volumes : null,
    WorkingDir: str(values, 'workdir') ?? '',
    Entrypoint: entrypoint === undefined ? null : entrypoint === '' ? [''] : [entrypoint],
    ...(str(values, 'mac-address') && { MacAddress: str(values, 'mac-address') }),
    OnBuild: null,
    Labels: labels,
    ...(str(values, 'stop-signal') && { StopSignal: str(values, 'stop-signal') }),
    ...(stopTimeout !== undefined && { StopTimeout: stopTimeout }),
    HostConfig: hostConfig,
    NetworkingConfig: networkingConfig(values, network),
  };
  const pull = str(values, 'pull') ?? 'missing';
  if (!['missing', 'always', 'never'].includes(pull)) throw new UsageError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  return { body, name: str(values, 'name'), platform: str(values, 'platform'), pull: pull as CreatePlan['pull'], image };
}

function networkingConfig(values: FlagValues, network: string | undefined): ContainerCreateRequest['NetworkingConfig'] {
  const aliases = list(values, 'network-alias');
  const ip = str(values, 'ip');
  const ip6 = str(values, 'ip6');
  if (!aliases.length && !ip && !ip6) return { EndpointsConfig: {} };
  const name = network && network !== 'default' ? network : 'default';
  return {
    EndpointsConfig: {
      [name]: {
        ...(aliases.length && { Aliases: aliases }),
        ...((ip || ip6) && { IPAMConfig: { ...(ip && { IPv4Address: ip }), ...(ip6 && { IPv6Address: ip6 }) } }),
      },
    },
  };
}

function sizeFlag(values: FlagValues, name: string): number | undefined {
  const text = str(values, name);
  return text === undefined ? undefined : ramInBytesOrUsage(text, `--${name}`);
}

function durationFlag(values: FlagValues, name: string): number {
  const text = str(values, name);
  return text === undefined ? 0 : parseGoDuration(text);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
}

/** docker sends a seccomp profile's contents, not its path. */
function readSeccompProfile(opt: string): string {
  const m = /^seccomp[=:](.+)$/.exec(opt);
  if (!m || m[1] === 'unconfined' || m[1] === 'builtin') return opt;
  const text = readText(m[1]!);
  try {
    return `seccomp=${JSON.stringify(JSON.parse(text))}`;
  } catch {
    throw new UsageError(`parsing seccomp profile ${m[1]}: invalid JSON`);
  }
}
