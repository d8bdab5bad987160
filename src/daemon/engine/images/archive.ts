// GET /images/get (docker save) and POST /images/load (docker load): Docker 25's
// docker-archive, through the images library. Loaded images are unpacked at once, as Docker
// does; load answers with Docker's "Loaded image: …" lines.
import type { Writable } from 'node:stream';
import { loadImages, saveImages } from '../../../images/archive/index.js';
import type { ImageService } from './image-service.js';
import type { ProgressSink } from './progress.js';

export async function saveArchive(service: ImageService, names: readonly string[], out: Writable): Promise<void> {
  const ids = [...new Set(names.map((name) => service.store.resolve(name).id))];
  await service.withBlobs(() => saveImages(service.content, service.store, names, out, { format: 'docker' }));
  for (const id of ids) service.events.publish('image', 'save', id, { name: id });
}

export async function loadArchive(service: ImageService, input: AsyncIterable<Buffer>, sink: ProgressSink): Promise<void> {
  const result = await service.withBlobs(async () => {
    const loaded = await loadImages(service.content, service.store, input);
    for (const image of loaded.images) {
      const record = service.store.resolve(image.id);
      await service.unpack(await service.manifestOf(record), await service.rawConfig(record.id));
    }
    return loaded;
  });
  for (const image of result.images) service.events.publish('image', 'load', image.id, { name: image.id });
  for (const message of result.messages) sink({ stream: `${message}\n` });
}
