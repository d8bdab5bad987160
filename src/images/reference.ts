// Image references ("busybox", "myhost:5000/team/app:1.2@sha256:…"), parsed and normalised the
// way Docker does it (github.com/distribution/reference, ParseNormalizedNamed): the same inputs
// are accepted and mean the same image. Where Docker only says "invalid reference format", the
// error here also says which part is wrong.
import { InvalidArgument } from '../errors.js';
import { digestProblem, type Digest } from './digest.js';

export interface ImageReference {
  /** Registry host with optional port: "docker.io", "localhost:5000", "[::1]:5000". */
  readonly domain: string;
  /** Repository path on that registry: "library/busybox", "team/app". */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

export const defaultDomain = 'docker.io';
export const defaultTag = 'latest';
const legacyDefaultDomain = 'index.docker.io';
const officialRepoPrefix = 'library/';

/** distribution/reference's RepositoryNameTotalLengthMax, counted on the path alone. */
export const maxPathLength = 255;

const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagGrammar = /^\w[\w.-]{0,127}$/;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const hostGrammar = new RegExp(`^(?:${domainNameComponent}(?:\\.${domainNameComponent})*|\\[[a-fA-F0-9:]+\\])$`);
const identifier = /^[a-f0-9]{64}$/;

function invalid(text: string, problem: string): InvalidArgument {
  return new InvalidArgument(`invalid reference format "${text}": ${problem}`);
}

/** Docker's splitDockerDomain: is the first "/"-separated component a registry? */
function splitDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { domain: defaultDomain, remainder: officialRepoPrefix + name };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === legacyDefaultDomain) {
    [domain, remainder] = [defaultDomain, rest];
  } else if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    // Repository paths are lowercase, so an uppercase first component can only be a host.
    [domain, remainder] = [first, rest];
  } else {
    [domain, remainder] = [defaultDomain, name];
  }
  if (domain === defaultDomain && !remainder.includes('/')) remainder = officialRepoPrefix + remainder;
  return { domain, remainder };
}

function domainProblem(domain: string): string | undefined {
  // The port follows the last ":" outside an IPv6 address's brackets.
  const bracketEnd = domain.lastIndexOf(']');
  const colon = domain.indexOf(':', bracketEnd + 1);
  const host = colon === -1 ? domain : domain.slice(0, colon);
  const port = colon === -1 ? undefined : domain.slice(colon + 1);
  const what = `registry "${domain}"`;
  if (host === '') return `${what} has no host name`;
  if (!hostGrammar.test(host)) {
    return `${what} is not a host name (letters, digits and "-" in "."-separated labels), an IPv4 address or an [IPv6] address`;
  }
  if (port !== undefined && !/^[0-9]+$/.test(port)) return `${what} has an invalid port "${port}": a port is a number`;
  return undefined;
}

function pathProblem(path: string): string | undefined {
  for (const component of path.split('/')) {
    if (component === '') return `repository name "${path}" has an empty path component`;
    if (!pathComponent.test(component)) {
      return `path component "${component}" must be lowercase letters and digits, separated by ".", "_", "__" or "-", ` +
        'and start and end with a letter or digit';
    }
  }
  if (path.length > maxPathLength) {
    return `repository name must not be more than ${maxPathLength} characters (it has ${path.length})`;
  }
  return undefined;
}

function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the tag after ":" is empty';
  if (!tagGrammar.test(tag)) {
    return `tag "${tag.length > 140 ? `${tag.slice(0, 128)}…` : tag}" must be 1 to 128 letters, digits, "_", "." or "-", ` +
      'not starting with "." or "-"';
  }
  return undefined;
}

/**
 * Parses a reference as `docker pull` reads it: "busybox" is docker.io/library/busybox, a first
 * component with ".", ":" or "localhost" is a registry. No default tag is added (see
 * withDefaultTag). Throws InvalidArgument naming the input and what is wrong with it.
 */
export function parseReference(text: string): ImageReference {
  if (text === '') throw invalid(text, 'the reference is empty');
  if (identifier.test(text)) {
    // An image id, not a name: refuse rather than guess (Docker's wording).
    throw new InvalidArgument(`invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`);
  }

  const at = text.indexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  const digestText = at === -1 ? undefined : text.slice(at + 1);
  if (name === '' || (name.startsWith(':') && !name.includes('/'))) throw invalid(text, 'the repository name is empty');

  const { domain, remainder } = splitDomain(name);
  const colon = remainder.indexOf(':');
  const path = colon === -1 ? remainder : remainder.slice(0, colon);
  const tag = colon === -1 ? undefined : remainder.slice(colon + 1);

  if (path.toLowerCase() !== path) {
    throw new InvalidArgument(`invalid reference format: repository name (${path}) must be lowercase`);
  }
  const problem = domainProblem(domain) ?? pathProblem(path) ?? (tag === undefined ? undefined : tagProblem(tag));
  if (problem !== undefined) throw invalid(text, problem);

  let digest: Digest | undefined;
  if (digestText !== undefined) {
    const digestIssue = digestText === '' ? 'the digest after "@" is empty' : digestProblem(digestText);
    if (digestIssue !== undefined) throw invalid(text, digestIssue);
    digest = digestText as Digest;
  }

  return {
    domain,
    path,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

/** The repository without tag or digest: "docker.io/library/busybox". */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The name `docker images` shows: "busybox", "team/app", "myhost:5000/x/y". */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== defaultDomain) return repositoryName(ref);
  if (ref.path.startsWith(officialRepoPrefix)) {
    const rest = ref.path.slice(officialRepoPrefix.length);
    // Only official images drop "library/"; a nested "library/a/b" keeps it, as in Docker.
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

function suffix(ref: ImageReference): string {
  return (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** The fully qualified form: "docker.io/library/busybox:latest". */
export function canonicalString(ref: ImageReference): string {
  return repositoryName(ref) + suffix(ref);
}

/** The short form with tag and digest: "busybox:latest", "myhost:5000/x@sha256:…". */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + suffix(ref);
}

/** Adds the "latest" tag to a reference that has neither tag nor digest. */
export function withDefaultTag(ref: ImageReference): ImageReference {
  if (ref.tag !== undefined || ref.digest !== undefined) return ref;
  return { ...ref, tag: defaultTag };
}
