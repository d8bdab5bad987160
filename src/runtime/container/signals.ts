// Signal names as runc's `kill` accepts them: "KILL", "SIGKILL" or "9".
import { constants } from 'node:os';
import { InvalidArgument } from '../../errors.js';

const signalNumbers = constants.signals as Record<string, number>;

export function parseSignal(text: string | number): number {
  if (typeof text === 'number' || /^\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isInteger(n) && n >= 1 && n <= 64) return n;
    throw new InvalidArgument(`invalid signal number ${text}: signals are 1 to 64`);
  }
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const n = signalNumbers[name];
  if (n === undefined) throw new InvalidArgument(`unknown signal "${text}"`);
  return n;
}
