// The CLI's units: Docker's human units (src/go-units.ts) plus the time, id and text forms
// docker's output uses.
import { humanDuration } from '../../../go-units.js';

export { fromHumanSize, humanDuration, humanSize, ramInBytes } from '../../../go-units.js';

/** "2 minutes ago" from a unix time in seconds. */
export function timeAgo(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

/** Go's time.Time.String() in the local zone: "2024-05-01 12:00:00 +0000 UTC". */
export function goTimeString(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const abbreviation = /^GMT[+-]/.test(zone) || zone === 'GMT' ? (offset === 0 ? 'UTC' : `${sign}${pad(Math.trunc(Math.abs(offset) / 60))}`) : zone;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} `
    + `${sign}${pad(Math.trunc(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)} ${abbreviation}`;
}

/** docker's TruncateID: without "sha256:", 12 characters. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  return (colon >= 0 ? id.slice(colon + 1) : id).slice(0, 12);
}

/** docker's Ellipsis: at most `max` characters, the last one "…" when cut. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 0) return '';
  return chars.slice(0, max - 1).join('') + '…';
}
