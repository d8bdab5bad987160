// Docker's JSON progress messages (pkg/jsonmessage), as pull, push, load and import stream
import { humanSize } from '../../../go-units.js';
// them: one JSON object per line, `status` with an optional `id` (a layer's short id, or a
// tag), `progressDetail` and the rendered `progress` bar the CLI prints as it is, `aux` for
// structured results, and `error`/`errorDetail` for a failure after the stream has begun.

export interface ProgressDetail {
  current?: number;
  total?: number;
}

export interface JsonMessage {
  status?: string;
  id?: string;
  progressDetail?: ProgressDetail;
  progress?: string;
  stream?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { message: string };
}

/** Where a job sends its messages; the API edge decides how they travel. */
export { humanSize };

export type ProgressSink = (message: JsonMessage) => void;

/**
 * jsonmessage.JSONProgress.String() as the daemon renders it (no terminal: width 200, no
 * start time, so no time-left box): "[=====>        ]  1.234MB/3.4MB".
 */
export function formatProgressBar(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  const percentage = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  const bar = `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

/** A status line for an id (progress.Message): {"status": "...", "id": "..."}. */
export function statusMessage(status: string, id?: string): JsonMessage {
  return id === undefined || id === '' ? { status } : { status, id };
}

/** A progress update (progress.Update / Progress): always carries progressDetail, as Docker's. */
export function progressMessage(id: string, action: string, current?: number, total?: number): JsonMessage {
  if (current === undefined) return { status: action, progressDetail: {}, id };
  const detail: ProgressDetail = { current };
  if (total !== undefined && total > 0) detail.total = total;
  const bar = formatProgressBar(current, total ?? 0);
  return { status: action, progressDetail: detail, ...(bar !== '' && { progress: bar }), id };
}

/** The line that ends a stream with an error; the docker CLI prints it and exits 1. */
export function errorMessage(message: string): JsonMessage {
  return { errorDetail: { message }, error: message };
}

/** stringid.TruncateID: the first 12 hex digits of a digest. */
export function shortDigest(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1).slice(0, 12);
}

/**
 * Progress updates for one id, at most one per interval (Docker's progress reader sends about
 * ten a second), the final one always.
 */
export class ThrottledProgress {
  private last = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly id: string,
    private readonly action: string,
    private readonly intervalMs = 100,
  ) {}

  update(current: number, total: number): void {
    const now = Date.now();
    if (current < total && now - this.last < this.intervalMs) return;
    this.last = now;
    this.sink(progressMessage(this.id, this.action, current, total));
  }
}
