// Builds tar archives byte by byte for the archive tests, hostile ones included (names with
// "..", absolute paths, links), which ordinary tar writers clean up or refuse to write.
import { Header } from 'tar';

export interface TestEntry {
  name: string;
  body?: Buffer | string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice';
  linkpath?: string;
}

export function buildTar(entries: readonly TestEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const type = e.type ?? 'File';
    const header = Buffer.alloc(512);
    new Header({
      path: e.name, type, size: type === 'File' ? body.length : 0, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0),
      ...(e.linkpath !== undefined && { linkpath: e.linkpath }),
    }).encode(header, 0);
    blocks.push(header);
    if (type === 'File' && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
