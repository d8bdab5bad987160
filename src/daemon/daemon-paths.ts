// Where berthd keeps things. The data root holds what must survive a reboot (blobs, images,
// layers, container configs and logs); the exec root holds what describes running things
// (runtime state, monitor sockets, exit files) and may vanish at reboot.
import { join } from 'node:path';

export class DaemonPaths {
  constructor(readonly dataRoot: string, readonly execRoot: string) {}

  /** The content store's root: blobs/sha256/<hex> and ingest/. */
  get content(): string { return this.dataRoot; }
  /** images.json */
  get images(): string { return join(this.dataRoot, 'image'); }
  /** Graph drivers live in <here>/<driver name>. */
  get graph(): string { return this.dataRoot; }
  get containers(): string { return join(this.dataRoot, 'containers'); }
  container(id: string): string { return join(this.containers, id); }
  /** The state directory of berth's runtime library (its --root). */
  get runtimeState(): string { return join(this.execRoot, 'runtime'); }
  /**
   * Per-container runtime files: bundle, monitor socket, exit file. Short, because a unix
   * socket's path must fit in 108 bytes: 24 hex digits of the id are unique enough.
   */
  containerRun(id: string): string { return join(this.execRoot, 'c', id.slice(0, 24)); }
  /** Per-exec runtime files (monitor socket, exit file), short for the same reason. */
  execRun(execId: string): string { return join(this.execRoot, 'e', execId.slice(0, 24)); }
  /** Networks and their address leases. */
  get networks(): string { return join(this.dataRoot, 'network'); }
  /** Containers' network namespaces, bind-mounted files. */
  get networkNamespaces(): string { return join(this.execRoot, 'netns'); }
  get defaultSocket(): string { return join(this.execRoot, 'berth.sock'); }
  get pidFile(): string { return join(this.execRoot, 'berthd.pid'); }
}
