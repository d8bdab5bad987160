// Signalling a set of processes that may be exiting while we do it.
import { errnoCode } from '../../errors.js';

export function signalEach(pids: number[], signal: NodeJS.Signals | number): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      // Gone already: it exited between reading cgroup.procs and now.
      if (errnoCode(err) !== 'ESRCH') throw err;
    }
  }
}
