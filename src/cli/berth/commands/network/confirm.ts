// docker's confirmation prompt (internal/prompt.Confirm): the question and " [y/N] " on
// stdout, one line read from stdin; only "y" or "Y" (spaces trimmed) is yes, and end of input
// is no.
import { createInterface } from 'node:readline';

export function confirm(ctx: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream }, message: string): Promise<boolean> {
  ctx.stdout.write(`${message} [y/N] `);
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.stdin, terminal: false });
    let answered = false;
    const finish = (answer: boolean) => {
      if (answered) return;
      answered = true;
      rl.close();
      // Let go of stdin so that nothing keeps the process waiting for more input.
      if (typeof (ctx.stdin as NodeJS.ReadStream).pause === 'function') ctx.stdin.pause();
      resolve(answer);
    };
    rl.once('line', (line) => finish(line.trim().toLowerCase() === 'y'));
    rl.once('close', () => finish(false));
  });
}
