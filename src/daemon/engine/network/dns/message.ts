// DNS wire format (RFC 1035), only as much as the per-network DNS server needs: read a query's
// header and question, and write the few responses it gives itself. Packets come from containers,
// so every read is bounds-checked and the only thing thrown is DnsParseError.

export const TYPE_A = 1;
export const TYPE_PTR = 12;
export const TYPE_AAAA = 28;
export const TYPE_ANY = 255;
export const CLASS_IN = 1;
export const CLASS_ANY = 255;

export const OPCODE_QUERY = 0;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;

export const HEADER_SIZE = 12;
/** The largest UDP answer a client without EDNS accepts; larger ones go out truncated (TC). */
export const UDP_ANSWER_LIMIT = 512;

const MAX_NAME_OCTETS = 255;
const MAX_LABEL_OCTETS = 63;

export interface DnsHeader {
  id: number;
  /** QR: set in responses. */
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  rcode: number;
  questionCount: number;
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
}

export interface DnsQuestion {
  /** Dotted, without the root's trailing dot; unusual octets escaped as \DDD, a literal dot or backslash as \. \\. */
  name: string;
  type: number;
  class: number;
}

export interface DnsMessageHead {
  header: DnsHeader;
  questions: DnsQuestion[];
}

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: Buffer;
}

/** A packet that is not a DNS message we can read. `header` is there when the first 12 bytes were. */
export class DnsParseError extends Error {
  constructor(
    message: string,
    readonly header?: DnsHeader,
  ) {
    super(message);
    this.name = 'DnsParseError';
  }
}

export function parseHeader(packet: Buffer): DnsHeader {
  if (packet.length < HEADER_SIZE) throw new DnsParseError(`${packet.length} bytes is shorter than a DNS header`);
  const flags = packet.readUInt16BE(2);
  return {
    id: packet.readUInt16BE(0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0x0f,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    rcode: flags & 0x000f,
    questionCount: packet.readUInt16BE(4),
    answerCount: packet.readUInt16BE(6),
    authorityCount: packet.readUInt16BE(8),
    additionalCount: packet.readUInt16BE(10),
  };
}

/**
 * The header and question section of any DNS message (query or response); the other sections
 * are not read. Throws DnsParseError, carrying the header when it could be read.
 */
export function parseMessageHead(packet: Buffer): DnsMessageHead {
  const header = parseHeader(packet);
  const questions: DnsQuestion[] = [];
  let offset = HEADER_SIZE;
  try {
    for (let i = 0; i < header.questionCount; i++) {
      const { name, end } = readName(packet, offset);
      if (end + 4 > packet.length) throw new DnsParseError('question ends before its type and class');
      questions.push({ name, type: packet.readUInt16BE(end), class: packet.readUInt16BE(end + 2) });
      offset = end + 4;
    }
  } catch (err) {
    if (err instanceof DnsParseError) throw new DnsParseError(err.message, header);
    throw err;
  }
  return { header, questions };
}

/** A query this server can handle: QR clear and exactly one question (what every stub resolver sends). */
export function parseQuery(packet: Buffer): DnsMessageHead & { question: DnsQuestion } {
  const head = parseMessageHead(packet);
  if (head.header.response) throw new DnsParseError('a response, not a query', head.header);
  const question = head.questions[0];
  if (head.questions.length !== 1 || question === undefined) {
    throw new DnsParseError(`${head.questions.length} questions; a query has one`, head.header);
  }
  return { ...head, question };
}

/**
 * Reads a possibly compressed name at `offset`. Every compression pointer must point before the
 * label sequence it interrupts, so pointers only ever go backwards and a loop cannot exist.
 */
export function readName(packet: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let octets = 1; // the root's zero length byte
  let position = offset;
  let end: number | undefined; // where the name ends in the packet: after its first pointer or its root
  let sequenceStart = offset;
  for (;;) {
    if (position >= packet.length) throw new DnsParseError('name runs past the end of the packet');
    const length = packet[position]!;
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      if (position + 2 > packet.length) throw new DnsParseError('compression pointer runs past the end of the packet');
      const target = packet.readUInt16BE(position) & 0x3fff;
      if (target >= sequenceStart) throw new DnsParseError('compression pointer does not point backwards');
      end ??= position + 2;
      position = target;
      sequenceStart = target;
      continue;
    }
    if (kind !== 0) throw new DnsParseError(`label type 0x${kind.toString(16)} is not supported`);
    if (length === 0) {
      end ??= position + 1;
      return { name: labels.join('.'), end };
    }
    if (length > MAX_LABEL_OCTETS) throw new DnsParseError('label longer than 63 octets');
    if (position + 1 + length > packet.length) throw new DnsParseError('label runs past the end of the packet');
    octets += length + 1;
    if (octets > MAX_NAME_OCTETS) throw new DnsParseError('name longer than 255 octets');
    labels.push(labelText(packet.subarray(position + 1, position + 1 + length)));
    position += 1 + length;
  }
}

function labelText(octets: Buffer): string {
  let text = '';
  for (const octet of octets) {
    if (octet === 0x2e || octet === 0x5c) text += '\\' + String.fromCharCode(octet);
    else if (octet > 0x20 && octet < 0x7f) text += String.fromCharCode(octet);
    else text += '\\' + octet.toString().padStart(3, '0');
  }
  return text;
}

/** The wire form of a dotted name (a trailing dot is allowed; \DDD and \. escapes are understood). */
export function encodeName(name: string): Buffer {
  const parts: Buffer[] = [];
  let total = 1;
  for (const label of splitLabels(name)) {
    if (label.length === 0) throw new RangeError(`empty label in DNS name ${JSON.stringify(name)}`);
    if (label.length > MAX_LABEL_OCTETS) throw new RangeError(`label longer than 63 octets in DNS name ${JSON.stringify(name)}`);
    total += label.length + 1;
    parts.push(Buffer.from([label.length]), label);
  }
  if (total > MAX_NAME_OCTETS) throw new RangeError(`DNS name longer than 255 octets: ${JSON.stringify(name)}`);
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function splitLabels(name: string): Buffer[] {
  const labels: Buffer[] = [];
  let current: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '.') {
      labels.push(Buffer.from(current));
      current = [];
    } else if (ch === '\\' && /^\d{3}$/.test(name.slice(i + 1, i + 4))) {
      current.push(Number(name.slice(i + 1, i + 4)) & 0xff);
      i += 3;
    } else if (ch === '\\' && i + 1 < name.length) {
      current.push(name.charCodeAt(i + 1) & 0xff);
      i += 1;
    } else {
      current.push(...Buffer.from(ch, 'utf8'));
    }
  }
  if (current.length > 0) labels.push(Buffer.from(current));
  if (labels.length === 1 && labels[0]!.length === 0) return []; // "" or "." is the root
  return labels;
}

export function aRecord(name: string, ipv4: string, ttl: number): DnsRecord {
  const octets = ipv4.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new RangeError(`not an IPv4 address: ${ipv4}`);
  }
  return { name, type: TYPE_A, class: CLASS_IN, ttl, data: Buffer.from(octets) };
}

export function ptrRecord(name: string, target: string, ttl: number): DnsRecord {
  return { name, type: TYPE_PTR, class: CLASS_IN, ttl, data: encodeName(target) };
}

/** `d.c.b.a.in-addr.arpa` → `a.b.c.d`; undefined for any other name. */
export function ipv4FromReverseName(name: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\.?$/i.exec(name);
  if (!match) return undefined;
  const octets = match.slice(1, 5).reverse();
  if (octets.some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return undefined;
  return octets.join('.');
}

/**
 * A response to `query`: its id, opcode and RD flag, its question echoed, then `answers`.
 * RA is set because the server forwards what it cannot answer. Over `limit` bytes the answers are
 * dropped and TC is set, so the client asks again over TCP.
 */
export function buildResponse(
  query: DnsMessageHead & { question: DnsQuestion },
  rcode: number,
  answers: DnsRecord[] = [],
  options: { authoritative?: boolean; limit?: number } = {},
): Buffer {
  const question = Buffer.concat([encodeName(query.question.name), u16(query.question.type), u16(query.question.class)]);
  const records = answers.map((record) => encodeRecord(record, query.question.name));
  const full = Buffer.concat([
    header(query.header, rcode, { questions: 1, answers: records.length, authoritative: options.authoritative ?? false, truncated: false }),
    question,
    ...records,
  ]);
  const limit = options.limit ?? Infinity;
  if (full.length <= limit) return full;
  return Buffer.concat([
    header(query.header, rcode, { questions: 1, answers: 0, authoritative: options.authoritative ?? false, truncated: true }),
    question,
  ]);
}

/** A bare error response (no question) to a message whose header was all that could be read. */
export function buildHeaderOnlyResponse(query: DnsHeader, rcode: number): Buffer {
  return header(query, rcode, { questions: 0, answers: 0, authoritative: false, truncated: false });
}

/** `packet` (an upstream's answer) with its id replaced by `id`; the packet itself is not changed. */
export function withId(packet: Buffer, id: number): Buffer {
  const copy = Buffer.from(packet);
  if (copy.length >= 2) copy.writeUInt16BE(id & 0xffff, 0);
  return copy;
}

function header(
  query: DnsHeader,
  rcode: number,
  counts: { questions: number; answers: number; authoritative: boolean; truncated: boolean },
): Buffer {
  const out = Buffer.alloc(HEADER_SIZE);
  let flags = 0x8000 | ((query.opcode & 0x0f) << 11) | 0x0080 | (rcode & 0x0f);
  if (counts.authoritative) flags |= 0x0400;
  if (counts.truncated) flags |= 0x0200;
  if (query.recursionDesired) flags |= 0x0100;
  out.writeUInt16BE(query.id & 0xffff, 0);
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(counts.questions, 4);
  out.writeUInt16BE(counts.answers, 6);
  return out;
}

/** A record whose owner is the question's name points back at it (offset 12) instead of repeating it. */
function encodeRecord(record: DnsRecord, questionName: string): Buffer {
  const owner = record.name.toLowerCase() === questionName.toLowerCase() ? Buffer.from([0xc0, HEADER_SIZE]) : encodeName(record.name);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.type, 0);
  fixed.writeUInt16BE(record.class, 2);
  fixed.writeUInt32BE(record.ttl >>> 0, 4);
  fixed.writeUInt16BE(record.data.length, 8);
  return Buffer.concat([owner, fixed, record.data]);
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value & 0xffff, 0);
  return out;
}
