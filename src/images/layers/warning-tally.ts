// Things skipped while reading or writing a layer, counted by kind with one example each, so
// that a layer with a thousand odd entries yields one line per kind, not a thousand.
export class WarningTally {
  private readonly seen = new Map<string, { count: number; example: string }>();

  warn(kind: string, example: string): void {
    const entry = this.seen.get(kind);
    if (entry) entry.count++;
    else this.seen.set(kind, { count: 1, example });
  }

  warnings(): string[] {
    return [...this.seen].map(([kind, { count, example }]) => `${kind} (${count}×, e.g. ${example})`);
  }
}
