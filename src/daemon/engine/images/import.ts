// POST /images/create?fromSrc=-: `docker import` of the request body (a root filesystem tar,
// plain or compressed) as a one-layer image, tagged with repo[:tag], its config shaped by the
// `changes`. The layer is unpacked at once, as Docker does. The answer is the image id.
import type { Readable } from 'node:stream';
import { InvalidArgument, Unsupported } from '../../../errors.js';
import { importRootfsTar } from '../../../images/import.js';
import { familiarString, parseReference, withDefaultTag } from '../../../images/reference.js';
import { applyChanges } from './changes.js';
import type { ImageService } from './image-service.js';
import { statusMessage, type ProgressSink } from './progress.js';

export interface ImportRequest {
  fromSrc: string;
  repo?: string | undefined;
  tag?: string | undefined;
  message?: string | undefined;
  changes: string[];
  platform?: string | undefined;
}

/** The name an import is tagged with, or undefined. */
function importReference(repo: string | undefined, tag: string | undefined): string | undefined {
  if (!repo) return undefined;
  let ref = parseReference(repo);
  if (tag) {
    if (ref.digest !== undefined) throw new InvalidArgument('cannot import digest reference');
    ref = parseReference(`${familiarString({ domain: ref.domain, path: ref.path })}:${tag}`);
  }
  return familiarString(withDefaultTag(ref));
}

export async function importImage(service: ImageService, request: ImportRequest, body: Readable, sink: ProgressSink): Promise<void> {
  if (request.fromSrc !== '-') {
    throw new Unsupported(`importing from "${request.fromSrc}" is not supported: send the archive as the request body (fromSrc=-)`);
  }
  const ref = importReference(request.repo, request.tag);
  const changes = applyChanges(request.changes);
  const result = await service.withBlobs(async () => {
    const imported = await importRootfsTar(service.content, service.store, body, {
      ...(ref !== undefined && { ref }),
      changes,
      ...(request.message && { message: request.message }),
      ...(request.platform && { platform: request.platform }),
      tmpDir: await service.scratchDirectory(),
    });
    await service.unpack(await service.manifestOf(imported.image), await service.rawConfig(imported.id));
    return imported;
  });
  service.events.publish('image', 'import', result.id, { name: result.id });
  if (ref !== undefined) service.events.publish('image', 'tag', result.id, { name: ref });
  sink(statusMessage(result.id));
}
