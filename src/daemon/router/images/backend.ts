// What the image routes need from the engine, and nothing more (ImageService provides it).
import type { Readable, Writable } from 'node:stream';
import type { DeleteResponseItem } from '../../../images/image-store.js';
import type { ImportRequest } from '../../engine/images/import.js';
import type { LoginResult } from '../../engine/images/login.js';
import type { ProgressSink } from '../../engine/images/progress.js';
import type { PullRequest } from '../../engine/images/pull.js';
import type { PushRequest } from '../../engine/images/push.js';
import type { AuthConfig } from '../../engine/images/registry-auth.js';
import type { PruneReport } from '../../engine/images/remove.js';
import type { HistoryItem, ImageInspect, ImageListOptions, ImageSummary } from '../../engine/images/summaries.js';

export interface ImageBackend {
  /** Streams progress to `sink`; throws before the first message for errors worth a status. */
  pull(request: PullRequest, sink: ProgressSink): Promise<void>;
  push(request: PushRequest, sink: ProgressSink): Promise<void>;
  importImage(request: ImportRequest, body: Readable, sink: ProgressSink): Promise<void>;
  tag(source: string, repo: string, tag: string | undefined): Promise<void>;
  remove(nameOrId: string, options: { force: boolean; noprune: boolean }): Promise<DeleteResponseItem[]>;
  prune(filters: Map<string, string[]>): Promise<PruneReport>;
  list(options: ImageListOptions): Promise<ImageSummary[]>;
  inspect(nameOrId: string): Promise<ImageInspect>;
  history(nameOrId: string): Promise<HistoryItem[]>;
  save(names: readonly string[], out: Writable): Promise<void>;
  load(input: AsyncIterable<Buffer>, sink: ProgressSink): Promise<void>;
  login(auth: AuthConfig): Promise<LoginResult>;
}
