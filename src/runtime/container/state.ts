// What the runtime remembers about a container between commands: one directory per container
// under the runtime's root, holding state.json (written atomically) and, until `start`, the
// exec fifo. `create` claims the directory with mkdir, so two creates of one id cannot both win.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Conflict, InvalidArgument, NotFound, errnoCode } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import type { Spec } from '../spec/types.js';

export interface ContainerRecord {
  id: string;
  bundle: string;
  rootfs: string;
  /** The container's init as the host sees it; 0 until berth-init reports it. */
  pid: number;
  /**
   * The init's start time (field 22 of /proc/<pid>/stat), so that a pid reused by another
   * process after the container died is never mistaken for the container.
   */
  initStartTime: string;
  /** RFC 3339, as runc's state reports it. */
  created: string;
  cgroupsPath: string;
  /** The cgroup directories create made, so that delete removes exactly those. */
  cgroupDirectories: string[];
  /** The validated spec, kept for exec defaults, hooks and resources changed by update. */
  spec: Spec;
}

const idPattern = /^[A-Za-z0-9_+.-]+$/;

export function checkContainerId(id: string): void {
  if (!id) throw new InvalidArgument('container id cannot be empty');
  if (!idPattern.test(id) || id === '.' || id === '..' || id.length > 1024) {
    throw new InvalidArgument(`invalid container id "${id}": use letters, digits, "_", "+", "-" and "."`);
  }
}

export class StateStore {
  constructor(readonly root: string) {}

  directory(id: string): string {
    return join(this.root, id);
  }

  execFifo(id: string): string {
    return join(this.root, id, 'exec.fifo');
  }

  /** Claims the id; Conflict when a container of that id exists. */
  async claim(id: string): Promise<void> {
    checkContainerId(id);
    await mkdir(this.root, { recursive: true, mode: 0o711 });
    try {
      await mkdir(this.directory(id), { mode: 0o711 });
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') throw new Conflict(`container "${id}" already exists`);
      throw err;
    }
  }

  async write(record: ContainerRecord): Promise<void> {
    // Runtime state, like runc's under /run: atomic for readers, not fsynced (see atomic-write).
    await writeFileAtomic(join(this.directory(record.id), 'state.json'), JSON.stringify(record), { durable: false });
  }

  async read(id: string): Promise<ContainerRecord> {
    checkContainerId(id);
    let text: string;
    try {
      // Synchronous: a few hundred bytes, read on every command; a thread-pool hop costs more.
      text = readFileSync(join(this.directory(id), 'state.json'), 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new NotFound(`container "${id}" does not exist`);
      throw err;
    }
    return JSON.parse(text) as ContainerRecord;
  }

  async remove(id: string): Promise<void> {
    // In the thread pool: on a disk-backed exec root each unlink waits on the journal, which
    // held berthd's event loop for milliseconds per container in a burst of removals.
    await rm(this.directory(id), { recursive: true, force: true });
  }

  /** Ids of every container with a state file; directories of unfinished creates are skipped. */
  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
    // Directories without a state file are creates or deletes in progress.
    return names.sort().filter((name) => existsSync(join(this.directory(name), 'state.json')));
  }
}
