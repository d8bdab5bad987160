// berthd's configuration: its command-line flags (architecture.md's fixed interface) over the
// keys of daemon.json that Docker also has. Flags win over the file.
import { readFileSync } from 'node:fs';
import { InvalidArgument, errnoCode } from '../errors.js';
import { ramInBytes } from '../go-units.js';

export interface RuntimeEntry {
  /** A runc-compatible binary. */
  path: string;
  runtimeArgs?: string[];
}

export interface LogOptions {
  /** Bytes per log file before it rotates. */
  maxSize: number;
  /** Files kept, the current one included. */
  maxFiles: number;
}

export interface DaemonConfig {
  dataRoot: string;
  execRoot: string;
  hosts: string[];
  storageDriver: string;
  /** "berth" (the in-process runtime) or a name from `runtimes`. */
  defaultRuntime: string;
  runtimes: Record<string, RuntimeEntry>;
  tls?: { ca: string; cert: string; key: string } | undefined;
  insecureRegistries: string[];
  /** Docker's json-file grows without bound unless told; berth's logs are bounded by default. */
  log: LogOptions;
  debug: boolean;
  network: NetworkConfig;
}

export interface NetworkConfig {
  /** The default bridge's device (Docker's docker0). */
  bridge: string;
  /** The default bridge's gateway address and subnet. */
  bip: string;
  /** Where user-defined networks get their subnets when none is given. */
  addressPools: Array<{ base: string; size: number }>;
  /** DNS servers for containers (Docker's --dns); empty: the host's. */
  dns: string[];
}

/**
 * Defaults chosen away from Docker's (172.17.0.0/16 and its 172.18-31 pools), so that berthd and
 * dockerd can run on one host.
 */
export const defaultNetworkConfig: NetworkConfig = {
  bridge: 'berth0',
  bip: '10.213.0.1/16',
  addressPools: [{ base: '10.214.0.0/16', size: 24 }],
  dns: [],
};

export const defaultConfigFile = '/etc/berth/daemon.json';
export const defaultLogOptions: LogOptions = { maxSize: 10 * 1024 * 1024, maxFiles: 3 };

const usage = `Usage: berthd [OPTIONS]

  --data-root DIR         persistent state (default /var/lib/berth)
  --exec-root DIR         runtime state (default /run/berth)
  -H, --host ADDRESS      unix:///path or tcp://host:port (repeatable; default unix:///run/berth/berth.sock)
  --storage-driver NAME   overlay (default) or vfs; also BERTH_STORAGE_DRIVER
  --default-runtime NAME  berth (default) or a runtime named in daemon.json "runtimes"
  --config-file FILE      daemon.json (default /etc/berth/daemon.json)
  --tlsverify --tlscacert FILE --tlscert FILE --tlskey FILE
                          required for tcp:// hosts: clients must present a certificate
  --insecure-registry HOST  allow plain HTTP to HOST (repeatable)
  -b, --bridge NAME       the default bridge network's device (default berth0)
  --bip CIDR              the default bridge's gateway and subnet (default 10.213.0.1/16)
  --default-address-pool base=CIDR,size=N
                          subnets for new networks (repeatable; default base=10.214.0.0/16,size=24)
  --dns IP                DNS server for containers (repeatable; default: the host's)
  -D, --debug             log every request
`;

export class UsageRequested extends Error {
  constructor() {
    super(usage);
  }
}

/** "10m" → 10485760, as Docker reads log-opts max-size (go-units RAMInBytes). */
export function parseByteSize(text: string, what: string): number {
  try {
    return ramInBytes(text);
  } catch {
    throw new InvalidArgument(`invalid ${what} "${text}": use a number with an optional k, m or g suffix`);
  }
}

function parseLogOpts(opts: Record<string, string> | undefined): LogOptions {
  const log = { ...defaultLogOptions };
  if (opts?.['max-size']) log.maxSize = parseByteSize(opts['max-size'], 'log-opts max-size');
  if (opts?.['max-file']) {
    const n = Number(opts['max-file']);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgument(`invalid log-opts max-file "${opts['max-file']}": a positive integer`);
    log.maxFiles = n;
  }
  return log;
}

interface DaemonJson {
  'data-root'?: string;
  'exec-root'?: string;
  hosts?: string[];
  'storage-driver'?: string;
  'default-runtime'?: string;
  runtimes?: Record<string, RuntimeEntry>;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
  'insecure-registries'?: string[];
  'log-opts'?: Record<string, string>;
  debug?: boolean;
  bridge?: string;
  bip?: string;
  'default-address-pools'?: Array<{ base: string; size: number }>;
  dns?: string[];
}

function readDaemonJson(file: string, explicit: boolean): DaemonJson {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!explicit && errnoCode(err) === 'ENOENT') return {};
    throw new InvalidArgument(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as DaemonJson;
  } catch (err) {
    throw new InvalidArgument(`invalid config file ${file}: ${(err as Error).message}`);
  }
}

export function parseDaemonArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const flags: Record<string, string | boolean> = {};
  const hosts: string[] = [];
  const insecure: string[] = [];
  const pools: string[] = [];
  const dns: string[] = [];
  const valueFlags = new Set(['data-root', 'exec-root', 'host', 'storage-driver', 'default-runtime', 'config-file', 'tlscacert', 'tlscert', 'tlskey', 'insecure-registry', 'bridge', 'bip', 'default-address-pool', 'dns']);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '-h' || arg === '--help') throw new UsageRequested();
    if (arg === '-H') arg = '--host';
    if (arg === '-D') arg = '--debug';
    if (arg === '-b') arg = '--bridge';
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new InvalidArgument(`unexpected argument "${arg}"\n\n${usage}`);
    const name = m[1]!;
    if (valueFlags.has(name)) {
      const value = m[2] ?? argv[++i];
      if (value === undefined) throw new InvalidArgument(`flag --${name} needs a value`);
      if (name === 'host') hosts.push(value);
      else if (name === 'insecure-registry') insecure.push(value);
      else if (name === 'default-address-pool') pools.push(value);
      else if (name === 'dns') dns.push(value);
      else flags[name] = value;
    } else if (name === 'tlsverify' || name === 'debug') {
      flags[name] = m[2] === undefined ? true : m[2] !== 'false';
    } else {
      throw new InvalidArgument(`unknown flag --${name}\n\n${usage}`);
    }
  }
  const configFile = (flags['config-file'] as string | undefined) ?? defaultConfigFile;
  const file = readDaemonJson(configFile, flags['config-file'] !== undefined);
  const pick = (name: string, fromFile: string | undefined, fallback: string): string =>
    (flags[name] as string | undefined) ?? fromFile ?? fallback;
  const execRoot = pick('exec-root', file['exec-root'], '/run/berth');
  const tlsverify = (flags.tlsverify as boolean | undefined) ?? file.tlsverify ?? false;
  const tlsFiles = {
    ca: pick('tlscacert', file.tlscacert, ''),
    cert: pick('tlscert', file.tlscert, ''),
    key: pick('tlskey', file.tlskey, ''),
  };
  if (tlsverify && (!tlsFiles.ca || !tlsFiles.cert || !tlsFiles.key)) {
    throw new InvalidArgument('--tlsverify needs --tlscacert, --tlscert and --tlskey');
  }
  const runtimes = file.runtimes ?? {};
  for (const [name, entry] of Object.entries(runtimes)) {
    if (typeof entry?.path !== 'string' || entry.path === '') throw new InvalidArgument(`runtimes.${name}: "path" is required`);
  }
  const defaultRuntime = pick('default-runtime', file['default-runtime'], 'berth');
  if (defaultRuntime !== 'berth' && !runtimes[defaultRuntime]) {
    throw new InvalidArgument(`default runtime "${defaultRuntime}" is not configured: add it to "runtimes" in ${configFile}`);
  }
  const hostList = hosts.length ? hosts : file.hosts?.length ? file.hosts : [`unix://${execRoot}/berth.sock`];
  for (const host of hostList) {
    if (host.startsWith('tcp://') && !tlsverify) {
      throw new InvalidArgument(`refusing to listen on ${host} without TLS: give --tlsverify --tlscacert --tlscert --tlskey`);
    }
  }
  return {
    dataRoot: pick('data-root', file['data-root'], '/var/lib/berth'),
    execRoot,
    hosts: hostList,
    storageDriver: pick('storage-driver', file['storage-driver'], env.BERTH_STORAGE_DRIVER ?? 'overlay'),
    defaultRuntime,
    runtimes,
    tls: tlsverify ? tlsFiles : undefined,
    insecureRegistries: [...(file['insecure-registries'] ?? []), ...insecure],
    log: parseLogOpts(file['log-opts']),
    debug: (flags.debug as boolean | undefined) ?? file.debug ?? false,
    network: {
      bridge: pick('bridge', file.bridge, defaultNetworkConfig.bridge),
      bip: pick('bip', file.bip, defaultNetworkConfig.bip),
      addressPools: pools.length ? pools.map(parseAddressPool) : file['default-address-pools'] ?? defaultNetworkConfig.addressPools,
      dns: dns.length ? dns : file.dns ?? [],
    },
  };
}

/** Docker's `--default-address-pool base=10.10.0.0/16,size=24`. */
function parseAddressPool(text: string): { base: string; size: number } {
  const fields = Object.fromEntries(text.split(',').map((kv) => kv.split('=') as [string, string]));
  const size = Number(fields.size);
  if (!fields.base || !Number.isInteger(size) || size < 1 || size > 30) {
    throw new InvalidArgument(`invalid --default-address-pool "${text}": expected base=CIDR,size=N`);
  }
  return { base: fields.base, size };
}
