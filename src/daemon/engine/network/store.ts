// The networks berthd knows, held in memory and written atomically on every change, found the
// way Docker finds them: full id, exact name, then a unique id prefix.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Conflict, InvalidArgument, NotFound } from '../../../errors.js';
import { writeFileAtomic } from '../../../fs/atomic-write.js';
import type { NetworkRecord } from './record.js';

export class NetworkStore {
  private readonly records = new Map<string, NetworkRecord>();

  private constructor(readonly root: string) {}

  static async open(root: string): Promise<NetworkStore> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const store = new NetworkStore(root);
    for (const file of await readdir(root)) {
      if (!file.endsWith('.json')) continue;
      const record = JSON.parse(await readFile(join(root, file), 'utf8')) as NetworkRecord;
      store.records.set(record.id, record);
    }
    return store;
  }

  all(): NetworkRecord[] {
    return [...this.records.values()];
  }

  byName(name: string): NetworkRecord | undefined {
    for (const r of this.records.values()) if (r.name === name) return r;
    return undefined;
  }

  find(text: string): NetworkRecord | undefined {
    if (text === '') return undefined;
    const exact = this.records.get(text) ?? this.byName(text);
    if (exact) return exact;
    const matches = [...this.records.values()].filter((r) => r.id.startsWith(text));
    if (matches.length > 1) throw new InvalidArgument(`network ${text} is ambiguous (${matches.length} matches found based on ID prefix)`);
    return matches[0];
  }

  get(text: string): NetworkRecord {
    const record = this.find(text);
    if (!record) throw new NotFound(`network ${text} not found`);
    return record;
  }

  async add(record: NetworkRecord): Promise<void> {
    if (this.byName(record.name)) throw new Conflict(`network with name ${record.name} already exists`);
    this.records.set(record.id, record);
    try {
      await writeFileAtomic(join(this.root, `${record.id}.json`), JSON.stringify(record, null, 2), { mode: 0o600 });
    } catch (err) {
      this.records.delete(record.id);
      throw err;
    }
  }

  async remove(id: string): Promise<void> {
    await rm(join(this.root, `${id}.json`), { force: true });
    this.records.delete(id);
  }
}
