// Pulling an image through the daemon (POST /images/create), shared by pull, run and create:
// the stored login for its registry goes along as X-Registry-Auth, progress is shown as
// docker shows it.
import type { ApiClient } from '../../api/client.js';
import { parseReference, withDefaultTag, familiarString, repositoryName } from '../../images/reference.js';
import { displayJsonMessages, type JsonMessage } from './progress.js';
import { registryAuthHeader } from './registry-auth.js';

export interface PullOptions {
  platform?: string | undefined;
  /** Where progress goes; undefined: nowhere. */
  out?: NodeJS.WriteStream | undefined;
  allTags?: boolean;
}

/** Pulls `image` (tag "latest" when it has none); returns the canonical reference. */
export async function pullImage(client: ApiClient, configDir: string, image: string, options: PullOptions): Promise<string> {
  const parsed = parseReference(image);
  const ref = options.allTags ? parsed : withDefaultTag(parsed);
  const messages = client.messages<JsonMessage>('POST', '/images/create', {
    query: { fromImage: repositoryName(ref), tag: ref.digest ?? ref.tag, platform: options.platform },
    headers: registryAuthHeader(configDir, image),
  });
  if (options.out) await displayJsonMessages(messages, options.out);
  else await displayJsonMessages(messages, nullStream());
  return `${repositoryName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** "busybox:latest" for the "Unable to find image" message. */
export function familiarTagged(image: string): string {
  try {
    return familiarString(withDefaultTag(parseReference(image)));
  } catch {
    return image;
  }
}

function nullStream(): NodeJS.WriteStream {
  return { write: () => true, isTTY: false, columns: 80 } as unknown as NodeJS.WriteStream;
}
