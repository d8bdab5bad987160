// Parsing a registry's WWW-Authenticate challenge (RFC 7235): the scheme and its parameters,
// e.g. Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="…".

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Every challenge in the header, in order; quoted values may hold commas and escaped quotes. */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const pattern = /\s*([A-Za-z][\w-]*)(?:\s+|$)|\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y;
  let current: Challenge | undefined;
  let index = 0;
  while (index < header.length) {
    pattern.lastIndex = index;
    const m = pattern.exec(header);
    if (!m || m[0] === '') break;
    index = pattern.lastIndex;
    if (m[2] !== undefined && current) {
      current.params[m[2].toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? '');
    } else if (m[1] !== undefined) {
      current = { scheme: m[1].toLowerCase(), params: {} };
      challenges.push(current);
    }
    while (header[index] === ',' || header[index] === ' ') index++;
  }
  return challenges;
}
