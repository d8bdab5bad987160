// The table of berth-runtime's commands, named as runc names them.
import type { Runtime } from '../../runtime/runtime.js';
import { exec } from './exec-command.js';
import { events, list, ps, state } from './inspect-commands.js';
import { create, kill, pause, remove, resume, run, start } from './lifecycle-commands.js';
import { features, spec } from './spec-commands.js';
import { update } from './update-command.js';

export type Command = (runtime: Runtime, args: string[]) => Promise<number>;

export const commands: Record<string, Command> = {
  create, start, run, state, kill, delete: remove, exec, list, ps, pause, resume, update, events, spec, features,
};

export function usage(): string {
  return `berth-runtime: berth's OCI runtime (runc-compatible command line)

Usage: berth-runtime [--root DIR] COMMAND [OPTIONS] [ID]

Commands:
  create    create a container (set up and waiting for start)   -b BUNDLE --console-socket PATH --pid-file FILE
  start     run the user's program in a created container
  run       create and start; wait unless --detach              (create's flags) -d
  state     print a container's state as JSON
  kill      send a signal (default SIGTERM)                       [SIGNAL] --all
  delete    remove a created or stopped container                --force
  exec      run a process in a running container                 -p process.json | CMD...; -t -d -e -u --cwd
  list      list containers                                      --format table|json -q
  ps        processes of a container                             --format table|json [ps options]
  pause     freeze every process of a container
  resume    thaw a paused container
  update    change resource limits                               -r FILE|- --memory --cpu-quota --pids-limit ...
  events    usage statistics                                     --stats (one sample) --interval 5s
  spec      write an example config.json                         -b BUNDLE --rootless
  features  print the features this runtime supports as JSON

Global options: --root DIR (default /run/berth-runtime), --log FILE, --log-format text|json
`;
}
