// docker's jsonmessage display: the daemon's streamed JSON messages (pull, push, load) shown
// as docker shows them. On a terminal, each layer has one line, redrawn in place with cursor
// moves (ESC[nA up, ESC[2K clear, ESC[nB down) and a progress bar; elsewhere, plain lines
// and no progress bars.
import { humanSize } from './format/units.js';

export interface JsonProgress {
  current?: number;
  total?: number;
  start?: number;
  units?: string;
  hidecounts?: boolean;
}

export interface JsonMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: JsonProgress;
  stream?: string;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: unknown;
  from?: string;
}

export class StreamedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamedError';
  }
}

export function progressString(p: JsonProgress, width: number, now = Date.now()): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return p.units ? `${current} ${p.units}` : humanSize(current, 4).padStart(8);
  let percentage = Math.trunc((current / total) * 100 / 2);
  if (percentage > 50) percentage = 50;
  let bar = '';
  if (width > 110) bar = `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] `;
  let numbers = '';
  if (!p.hidecounts) {
    if (!p.units) numbers = current > total ? humanSize(current, 4).padStart(8) : `${humanSize(current, 4).padStart(8)}/${humanSize(total, 4)}`;
    else numbers = current > total ? `${current} ${p.units}` : `${current}/${total} ${p.units}`;
  }
  let left = '';
  if (current > 0 && p.start && percentage < 50 && width > 50) {
    const elapsed = now / 1000 - p.start;
    const seconds = Math.trunc(((total - current) * elapsed) / current);
    left = ` ${goDuration(seconds)}`;
  }
  return bar + numbers + left;
}

/** Go's time.Duration String for whole seconds: "1m5s", "2h0m0s", "0s". */
function goDuration(seconds: number): string {
  const h = Math.trunc(seconds / 3600);
  const m = Math.trunc((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * Shows messages as they come; throws StreamedError for an error message (the daemon's
 * wording). `onAux` sees aux messages (push's digest, load's ids).
 */
export async function displayJsonMessages(messages: AsyncIterable<JsonMessage>, out: NodeJS.WriteStream,
  options: { terminal?: boolean; onAux?: (aux: unknown) => void } = {}): Promise<void> {
  const terminal = options.terminal ?? Boolean(out.isTTY);
  let ids = new Map<string, number>();
  for await (const m of messages) {
    if (m.error || m.errorDetail?.message) throw new StreamedError(m.errorDetail?.message || m.error || 'unknown error');
    if (m.aux !== undefined) {
      options.onAux?.(m.aux);
      continue;
    }
    let diff = 0;
    const hasProgress = m.progressDetail !== undefined || Boolean(m.progress);
    if (m.id && hasProgress) {
      let line = ids.get(m.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(m.id, line);
        if (terminal) out.write('\n');
      }
      diff = ids.size - line;
      if (terminal && diff > 0) out.write(`\x1b[${diff}A`);
    } else {
      ids = new Map();
    }
    display(m, out, terminal);
    if (m.id && terminal && diff > 0) out.write(`\x1b[${diff}B`);
  }
}

function display(m: JsonMessage, out: NodeJS.WriteStream, terminal: boolean): void {
  const progress = m.progressDetail ? progressString(m.progressDetail, out.columns ?? 80) : '';
  let endl = '';
  if (terminal && !m.stream && m.progressDetail) {
    out.write('\x1b[2K\r');
    endl = '\r';
  } else if (m.progressDetail && progress) {
    return; // no progress bars off a terminal
  }
  let text = '';
  if (m.id) text += `${m.id}: `;
  if (m.from) text += `(from ${m.from}) `;
  if (m.progressDetail && terminal) text += `${m.status ?? ''} ${progress}${endl}`;
  else if (m.progress && terminal) text += `${m.status ?? ''} ${m.progress}${endl}`;
  else if (m.stream) text += `${m.stream}${endl}`;
  else text += `${m.status ?? ''}${endl}\n`;
  out.write(text);
}
