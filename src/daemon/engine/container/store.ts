// The containers berthd knows: records held in memory and written atomically on every change,
// found the way Docker finds them (full id, name, unique id prefix), with names unique.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Conflict, InvalidArgument, NotFound, errnoCode } from '../../../errors.js';
import { writeFileAtomic } from '../../../fs/atomic-write.js';
import type { ContainerRecord } from './record.js';

// Docker's restrictions on container names (daemon/names.go).
const nameGrammar = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function checkContainerName(name: string): string {
  if (!nameGrammar.test(name)) {
    throw new InvalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.replace(/^\//, '');
}

export class ContainerStore {
  private readonly records = new Map<string, ContainerRecord>();

  private constructor(readonly root: string) {}

  static async open(root: string): Promise<ContainerStore> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const store = new ContainerStore(root);
    for (const id of await readdir(root)) {
      try {
        const record = JSON.parse(await readFile(join(root, id, 'container.json'), 'utf8')) as ContainerRecord;
        store.records.set(record.id, record);
      } catch (err) {
        // A directory whose record never got written: a create that crashed half way.
        if (errnoCode(err) === 'ENOENT') await rm(join(root, id), { recursive: true, force: true });
        else throw err;
      }
    }
    return store;
  }

  directory(id: string): string {
    return join(this.root, id);
  }

  all(): ContainerRecord[] {
    return [...this.records.values()];
  }

  byName(name: string): ContainerRecord | undefined {
    const bare = name.replace(/^\//, '');
    for (const r of this.records.values()) if (r.name === bare) return r;
    return undefined;
  }

  /** Docker's lookup order: full id, then name, then a unique id prefix. */
  find(text: string): ContainerRecord | undefined {
    if (text === '') return undefined;
    const exact = this.records.get(text);
    if (exact) return exact;
    const named = this.byName(text);
    if (named) return named;
    const matches = [...this.records.values()].filter((r) => r.id.startsWith(text));
    if (matches.length > 1) throw new InvalidArgument(`multiple IDs found with provided prefix: ${text}`);
    return matches[0];
  }

  get(text: string): ContainerRecord {
    const record = this.find(text);
    if (!record) throw new NotFound(`No such container: ${text}`);
    return record;
  }

  /** Claims the name and writes the record; Conflict if the name is taken. */
  async add(record: ContainerRecord): Promise<void> {
    const holder = this.byName(record.name);
    if (holder) {
      throw new Conflict(`Conflict. The container name "/${record.name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.records.set(record.id, record);
    try {
      await mkdir(this.directory(record.id), { recursive: true, mode: 0o700 });
      await this.save(record);
    } catch (err) {
      this.records.delete(record.id);
      throw err;
    }
  }

  async save(record: ContainerRecord): Promise<void> {
    await writeFileAtomic(join(this.directory(record.id), 'container.json'), JSON.stringify(record), { mode: 0o600 });
  }

  async rename(record: ContainerRecord, newName: string): Promise<void> {
    const name = checkContainerName(newName);
    const holder = this.byName(name);
    if (holder && holder.id !== record.id) {
      throw new Conflict(`Error when allocating new name: Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    record.name = name;
    await this.save(record);
  }

  async remove(id: string): Promise<void> {
    this.records.delete(id);
    await rm(this.directory(id), { recursive: true, force: true });
  }
}
