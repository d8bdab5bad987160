// OCI runtime-spec 1.x types (config.json and state), Linux only.
// Field names follow the spec exactly so that config.json parses into them directly.

export interface Spec {
  ociVersion: string;
  process?: Process;
  root?: Root;
  hostname?: string;
  domainname?: string;
  mounts?: Mount[];
  hooks?: Hooks;
  annotations?: Record<string, string>;
  linux?: Linux;
}

export interface Root {
  path: string;
  readonly?: boolean;
}

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
}

export interface Process {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: User;
  args?: string[];
  commandLine?: string;
  env?: string[];
  cwd: string;
  capabilities?: Capabilities;
  rlimits?: Rlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
  ioPriority?: { class: string; priority: number };
  scheduler?: unknown;
}

export interface User {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
  username?: string;
}

export interface Capabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface Rlimit {
  type: string;
  soft: number;
  hard: number;
}

export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export interface Hooks {
  prestart?: Hook[];
  createRuntime?: Hook[];
  createContainer?: Hook[];
  startContainer?: Hook[];
  poststart?: Hook[];
  poststop?: Hook[];
}

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

export interface Namespace {
  type: NamespaceType;
  path?: string;
}

export interface Device {
  type: 'c' | 'b' | 'u' | 'p';
  path: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface DeviceCgroupRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number | null;
  minor?: number | null;
  access?: string;
}

export interface MemoryResources {
  limit?: number;
  reservation?: number;
  swap?: number;
  kernel?: number;
  kernelTCP?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
  useHierarchy?: boolean;
  checkBeforeUpdate?: boolean;
}

export interface CpuResources {
  shares?: number;
  quota?: number;
  burst?: number;
  period?: number;
  realtimeRuntime?: number;
  realtimePeriod?: number;
  cpus?: string;
  mems?: string;
  idle?: number;
}

export interface PidsResources {
  limit: number;
}

export interface WeightDevice {
  major: number;
  minor: number;
  weight?: number;
  leafWeight?: number;
}

export interface ThrottleDevice {
  major: number;
  minor: number;
  rate: number;
}

export interface BlockIOResources {
  weight?: number;
  leafWeight?: number;
  weightDevice?: WeightDevice[];
  throttleReadBpsDevice?: ThrottleDevice[];
  throttleWriteBpsDevice?: ThrottleDevice[];
  throttleReadIOPSDevice?: ThrottleDevice[];
  throttleWriteIOPSDevice?: ThrottleDevice[];
}

export interface Resources {
  devices?: DeviceCgroupRule[];
  memory?: MemoryResources;
  cpu?: CpuResources;
  pids?: PidsResources;
  blockIO?: BlockIOResources;
  hugepageLimits?: { pageSize: string; limit: number }[];
  network?: unknown;
  rdma?: unknown;
  unified?: Record<string, string>;
}

export type SeccompAction =
  | 'SCMP_ACT_KILL'
  | 'SCMP_ACT_KILL_PROCESS'
  | 'SCMP_ACT_KILL_THREAD'
  | 'SCMP_ACT_TRAP'
  | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE'
  | 'SCMP_ACT_ALLOW'
  | 'SCMP_ACT_LOG'
  | 'SCMP_ACT_NOTIFY';

export type SeccompOperator =
  | 'SCMP_CMP_NE'
  | 'SCMP_CMP_LT'
  | 'SCMP_CMP_LE'
  | 'SCMP_CMP_EQ'
  | 'SCMP_CMP_GE'
  | 'SCMP_CMP_GT'
  | 'SCMP_CMP_MASKED_EQ';

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

export interface SeccompSyscall {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface Seccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  syscalls?: SeccompSyscall[];
}

export interface Linux {
  namespaces?: Namespace[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  devices?: Device[];
  cgroupsPath?: string;
  resources?: Resources;
  rootfsPropagation?: string;
  seccomp?: Seccomp;
  sysctl?: Record<string, string>;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  mountLabel?: string;
  personality?: unknown;
  timeOffsets?: unknown;
}

export type ContainerStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** The state the runtime reports, as the runtime-spec defines it. */
export interface State {
  ociVersion: string;
  id: string;
  status: ContainerStatus;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}
