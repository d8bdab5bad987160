// Docker Engine API container types (API v1.41–v1.47), as they travel on the wire: PascalCase
// field names, every field optional, and arrays that a Go client may send as `null`.
// Shapes follow moby's api/types/container (config.go, hostconfig.go), api/types/mount and
// api/types/network; the daemon and the CLI both use these.

/** `"80/tcp": {}` style sets (ExposedPorts, Volumes). */
export type EmptySet = Record<string, Record<string, never> | object>;

export interface HealthConfig {
  /** ["NONE"], ["CMD", args...] or ["CMD-SHELL", command]. */
  Test?: string[] | null;
  /** Nanoseconds. */
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: EmptySet | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig | null;
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: EmptySet | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  /** Deprecated since v1.44 in favour of EndpointSettings.MacAddress. */
  MacAddress?: string;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  /** Seconds. */
  StopTimeout?: number | null;
  Shell?: string[] | null;
}

export interface LogConfig {
  Type?: string;
  Config?: Record<string, string> | null;
}

export interface RestartPolicy {
  Name?: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure' | string;
  MaximumRetryCount?: number;
}

export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

/** "80/tcp" → bindings. */
export type PortMap = Record<string, PortBinding[] | null>;

export type MountType = 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

export interface MountBindOptions {
  Propagation?: Propagation | '';
  NonRecursive?: boolean;
  ReadOnlyNonRecursive?: boolean;
  ReadOnlyForceRecursive?: boolean;
  CreateMountpoint?: boolean;
}

export interface MountVolumeOptions {
  NoCopy?: boolean;
  Labels?: Record<string, string> | null;
  Subpath?: string;
  DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null;
}

export interface MountTmpfsOptions {
  /** Bytes. */
  SizeBytes?: number;
  /** File mode of the tmpfs root (decimal on the wire, e.g. 1023 for 01777). */
  Mode?: number;
  /** Extra options as [["noexec"], ["uid", "1000"]] (API v1.46+). */
  Options?: string[][] | null;
}

/** One entry of HostConfig.Mounts (`docker run --mount`). */
export interface Mount {
  Type?: MountType;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: MountBindOptions | null;
  VolumeOptions?: MountVolumeOptions | null;
  TmpfsOptions?: MountTmpfsOptions | null;
}

export interface WeightDevice {
  Path?: string;
  Weight?: number;
}

export interface ThrottleDevice {
  Path?: string;
  Rate?: number;
}

export interface DeviceMapping {
  PathOnHost?: string;
  PathInContainer?: string;
  CgroupPermissions?: string;
}

export interface DeviceRequest {
  Driver?: string;
  Count?: number;
  DeviceIDs?: string[] | null;
  Capabilities?: string[][] | null;
  Options?: Record<string, string> | null;
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** HostConfig's embedded Resources (also the body of `POST /containers/{id}/update`). */
export interface Resources {
  CpuShares?: number;
  Memory?: number;
  NanoCpus?: number;
  CgroupParent?: string;
  BlkioWeight?: number;
  BlkioWeightDevice?: WeightDevice[] | null;
  BlkioDeviceReadBps?: ThrottleDevice[] | null;
  BlkioDeviceWriteBps?: ThrottleDevice[] | null;
  BlkioDeviceReadIOps?: ThrottleDevice[] | null;
  BlkioDeviceWriteIOps?: ThrottleDevice[] | null;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  Devices?: DeviceMapping[] | null;
  DeviceCgroupRules?: string[] | null;
  DeviceRequests?: DeviceRequest[] | null;
  /** Deprecated: refused by API v1.42+ daemons on cgroup v2, ignored elsewhere. */
  KernelMemory?: number;
  KernelMemoryTCP?: number;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  PidsLimit?: number | null;
  Ulimits?: Ulimit[] | null;
  /** Windows only. */
  CpuCount?: number;
  CpuPercent?: number;
  IOMaximumIOps?: number;
  IOMaximumBandwidth?: number;
}

export type RestartPolicyName = NonNullable<RestartPolicy['Name']>;

export interface HostConfig extends Resources {
  /** "/host:/container[:options]" or "volume:/container[:options]". */
  Binds?: string[] | null;
  ContainerIDFile?: string;
  LogConfig?: LogConfig | null;
  /** "default", "bridge", "host", "none", "container:<name|id>" or a network's name. */
  NetworkMode?: string;
  PortBindings?: PortMap | null;
  RestartPolicy?: RestartPolicy | null;
  AutoRemove?: boolean;
  VolumeDriver?: string;
  VolumesFrom?: string[] | null;
  Mounts?: Mount[] | null;
  ConsoleSize?: [number, number] | number[] | null;
  Annotations?: Record<string, string> | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  /** "private" or "host" ("" means the daemon's default). */
  CgroupnsMode?: '' | 'private' | 'host' | string;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  /** "name:ip" entries. */
  ExtraHosts?: string[] | null;
  GroupAdd?: string[] | null;
  /** "", "none", "private", "shareable", "host" or "container:<name|id>". */
  IpcMode?: string;
  Cgroup?: string;
  Links?: string[] | null;
  OomScoreAdj?: number;
  /** "", "host" or "container:<name|id>". */
  PidMode?: string;
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  /**
   * berth's own: a bandwidth limit each way on the container's network interface ("10mbit",
   * or bits per second). Docker's API has none; its clients can use the label io.berth.network-rate.
   */
  NetworkRate?: string | number;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  StorageOpt?: Record<string, string> | null;
  /** Container path → mount options ("rw,size=64m"). */
  Tmpfs?: Record<string, string> | null;
  /** "" or "host". */
  UTSMode?: string;
  UsernsMode?: string;
  /** Bytes of /dev/shm; 0 means the daemon's default (64 MiB). */
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  Runtime?: string;
  Isolation?: '' | 'default' | 'process' | 'hyperv' | string;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  /** Run an init (reaper) as the container's first process. */
  Init?: boolean | null;
}

export interface EndpointIPAMConfig {
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[] | null;
}

export interface EndpointSettings {
  IPAMConfig?: EndpointIPAMConfig | null;
  Links?: string[] | null;
  Aliases?: string[] | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
  GwPriority?: number;
  NetworkID?: string;
  EndpointID?: string;
  Gateway?: string;
  IPAddress?: string;
  IPPrefixLen?: number;
  IPv6Gateway?: string;
  GlobalIPv6Address?: string;
  GlobalIPv6PrefixLen?: number;
  DNSNames?: string[] | null;
}

export interface NetworkingConfig {
  EndpointsConfig?: Record<string, EndpointSettings | null> | null;
}

/** The body of `POST /containers/create`. */
export type ContainerCreateRequest = ContainerConfig & {
  HostConfig?: HostConfig;
  NetworkingConfig?: NetworkingConfig;
};

/** One entry of inspect's `Mounts`. */
export interface MountPoint {
  Type: MountType;
  /** The volume's name (volumes only). */
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  /** The options as given ("z", "ro", ...); "" when none. */
  Mode: string;
  RW: boolean;
  Propagation: Propagation | '';
}
