// Go's text/tabwriter as docker's tables use it (minwidth 10, tabwidth 1, padding 3, pad with
// spaces): cells end at a tab; each column is as wide as its widest cell plus the padding, at
// least the minimum; the last cell of a line (not ended by a tab) is written as it is.
export interface TabwriterOptions {
  minWidth?: number;
  padding?: number;
}

export function tabulate(text: string, options: TabwriterOptions = {}): string {
  const minWidth = options.minWidth ?? 10;
  const padding = options.padding ?? 3;
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((line) => line.split('\t'));
  const widths: number[] = [];
  for (const cells of lines) {
    cells.slice(0, -1).forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? minWidth, width(cell) + padding);
    });
  }
  const out = lines.map((cells) => cells.map((cell, column) => (column < cells.length - 1 ? cell + ' '.repeat(Math.max(0, widths[column]! - width(cell))) : cell)).join(''));
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}

function width(text: string): number {
  return [...text].length;
}
