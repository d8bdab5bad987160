// Where a daemon listens, as docker spells it: unix:///path or tcp://host:port.
export type DaemonAddress =
  | { kind: 'unix'; path: string; text: string }
  | { kind: 'tcp'; host: string; port: number; text: string };

export const defaultDaemonHost = 'unix:///run/berth/berth.sock';

export function parseDaemonHost(text: string): DaemonAddress {
  const unix = /^unix:\/\/(\/.*)$/.exec(text);
  if (unix) return { kind: 'unix', path: unix[1]!, text };
  const tcp = /^(?:tcp|http|https):\/\/(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(text);
  if (tcp) {
    const host = (tcp[1] || '127.0.0.1').replace(/^\[|\]$/g, '');
    // Docker's defaults: 2376 with TLS, 2375 without; berthd serves TCP only with TLS.
    return { kind: 'tcp', host, port: tcp[2] ? Number(tcp[2]) : 2376, text };
  }
  if (text.startsWith('/')) return { kind: 'unix', path: text, text: `unix://${text}` };
  throw new Error(`invalid daemon address "${text}": use unix:///path or tcp://host:port`);
}
