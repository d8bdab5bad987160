// `--network-rate`: a bandwidth limit in tc's words (bits per second: "10mbit", "1gbit",
// "500kbit"; bytes per second: "10mbps"), or a plain number of bits per second.
import { InvalidArgument } from '../../../errors.js';

const unitBits: Record<string, number> = {
  '': 1, bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9,
  bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9,
};

/** Bits per second. */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = m ? unitBits[m[2]!.toLowerCase()] : undefined;
  const bits = m && factor ? Math.round(Number(m[1]) * factor) : NaN;
  if (!Number.isFinite(bits) || bits < 8000) {
    throw new InvalidArgument(`invalid network rate "${text}": give a rate of at least 8kbit, such as 10mbit, 1gbit or 5mbps (bytes)`);
  }
  return bits;
}
