// The command table: docker's top-level commands, and the management forms
// (`berth container ls`, `berth image rm`, `berth system info`) over the same definitions;
// `berth network ...` exists only as a management group, as in docker.
import type { CommandDefinition } from '../command.js';
import { attach } from './container/attach.js';
import { create } from './container/create.js';
import { exec } from './container/exec.js';
import { kill } from './container/kill.js';
import { logs } from './container/logs.js';
import { port } from './container/port.js';
import { ps } from './container/ps.js';
import { rename } from './container/rename.js';
import { rm } from './container/rm.js';
import { run } from './container/run.js';
import { start } from './container/start.js';
import { restart, stop } from './container/stop.js';
import { top } from './container/top.js';
import { wait } from './container/wait.js';
import { images } from './image/images.js';
import { importImage } from './image/import.js';
import { load } from './image/load.js';
import { pull } from './image/pull.js';
import { push } from './image/push.js';
import { rmi } from './image/rmi.js';
import { save } from './image/save.js';
import { tag } from './image/tag.js';
import { networkConnect, networkDisconnect } from './network/connect.js';
import { networkCreate } from './network/create.js';
import { networkInspect } from './network/inspect.js';
import { networkLs } from './network/ls.js';
import { networkPrune } from './network/prune.js';
import { networkRm } from './network/rm.js';
import { login } from './registry/login.js';
import { logout } from './registry/logout.js';
import { events } from './system/events.js';
import { info } from './system/info.js';
import { containerInspect, imageInspect, inspect } from './system/inspect.js';
import { version } from './system/version.js';

export const topLevel: CommandDefinition[] = [
  attach, create, events, exec, images, importImage, info, inspect, kill, load, login, logout, logs,
  port, ps, pull, push, rename, restart, rm, rmi, run, save, start, stop, tag, top, version, wait,
];

export interface ManagementGroup {
  description: string;
  commands: CommandDefinition[];
}

export const groups: Record<string, ManagementGroup> = {
  container: {
    description: 'Manage containers',
    commands: [attach, create, exec, containerInspect, kill, logs, port, ps, rename, restart, rm, run, start, stop, top, wait],
  },
  image: {
    description: 'Manage images',
    commands: [imageInspect, images, importImage, load, pull, push, rmi, save, tag],
  },
  network: {
    description: 'Manage networks',
    commands: [networkConnect, networkCreate, networkDisconnect, networkInspect, networkLs, networkPrune, networkRm],
  },
  system: {
    description: 'Manage berth',
    commands: [events, info],
  },
};

/** The command `name` in `commands`, by name or alias. */
export function findCommand(commands: CommandDefinition[], name: string): CommandDefinition | undefined {
  return commands.find((c) => c.name === name) ?? commands.find((c) => c.aliases?.includes(name));
}

/** A management group's verb: `image ls`, `container rm`, by name or alias. */
export function findGroupCommand(group: ManagementGroup, name: string): CommandDefinition | undefined {
  return group.commands.find((c) => c.name === name) ?? group.commands.find((c) => c.aliases?.includes(name));
}
