// What the container routes need from the engine, and nothing more.
import type { Duplex } from 'node:stream';
import type { Writable } from 'node:stream';
import type { ContainerCreateRequest } from '../../../api/types/container-config.js';
import type { AttachOptions } from '../../engine/container/attach.js';
import type { ContainerExit } from '../../engine/container/context.js';
import type { CreateResult } from '../../engine/container/create.js';
import type { ExecCreateRequest, ExecStartOptions } from '../../engine/container/exec.js';
import type { ListOptions } from '../../engine/container/list.js';
import type { LogOptions } from '../../engine/container/logs.js';
import type { StatsOptions } from '../../engine/container/stats.js';
import type { DockerStats } from '../../engine/container/stats-json.js';
import type { StopOptions } from '../../engine/container/stop.js';

export type Hijack = () => { socket: Duplex; head: Buffer };

export interface ContainerBackend {
  create(request: ContainerCreateRequest, name: string | undefined): Promise<CreateResult>;
  start(nameOrId: string): Promise<void>;
  stop(nameOrId: string, options: StopOptions): Promise<void>;
  restart(nameOrId: string, options: StopOptions): Promise<void>;
  kill(nameOrId: string, signal: string | undefined): Promise<void>;
  remove(nameOrId: string, options: { force: boolean }): Promise<void>;
  wait(nameOrId: string, condition: string | undefined): Promise<ContainerExit>;
  inspect(nameOrId: string): Promise<unknown>;
  list(options: ListOptions): unknown[];
  logs(nameOrId: string, options: LogOptions, out: Writable, closed: () => boolean): Promise<void>;
  /** Whether output of this container is raw (TTY) rather than multiplexed. */
  hasTty(nameOrId: string): boolean;
  attach(nameOrId: string, options: AttachOptions, hijack: Hijack): Promise<void>;
  resize(nameOrId: string, rows: number, columns: number): Promise<void>;
  rename(nameOrId: string, newName: string): Promise<void>;
  top(nameOrId: string, psArgs: string | undefined): Promise<{ Titles: string[]; Processes: string[][] }>;
  pause(nameOrId: string): Promise<void>;
  unpause(nameOrId: string): Promise<void>;
  /** Stats objects sent one by one (one, or one a second while streaming); NotFound before any. */
  stats(nameOrId: string, options: StatsOptions, send: (stats: DockerStats) => void, closed: () => boolean): Promise<void>;
  execCreate(nameOrId: string, request: ExecCreateRequest): Promise<{ Id: string }>;
  execStart(execId: string, options: ExecStartOptions, hijack: Hijack | undefined): Promise<void>;
  execInspect(execId: string): unknown;
  execResize(execId: string, rows: number, columns: number): Promise<void>;
}
