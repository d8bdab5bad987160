// POST /images/{name}/tag?repo=&tag=: gives an image another name (the tag moves if another
// image had it), as `docker tag` does.
import { InvalidArgument } from '../../../errors.js';
import { familiarString, parseReference, withDefaultTag } from '../../../images/reference.js';
import type { ImageService } from './image-service.js';

export async function tagImage(service: ImageService, source: string, repo: string, tag: string | undefined): Promise<void> {
  if (repo === '') throw new InvalidArgument('repository name (repo) is required');
  let target = parseReference(repo);
  if (tag) {
    if (target.digest !== undefined) throw new InvalidArgument('refusing to create a tag with a digest reference');
    target = parseReference(`${familiarString({ domain: target.domain, path: target.path })}:${tag}`);
  }
  const image = service.store.resolve(source);
  await service.store.tag(image.id, target);
  service.events.publish('image', 'tag', image.id, { name: familiarString(withDefaultTag(target)) });
}
