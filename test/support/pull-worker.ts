// A pull in its own process, for tests that kill it half way: node pull-worker.js HOST REF STORE
import { ContentStore } from '../../src/images/content-store.js';
import { pullImage } from '../../src/images/distribution/pull.js';
import { RegistryClient } from '../../src/images/distribution/registry-client.js';
import { parseReference } from '../../src/images/reference.js';

const [host, reference, storeRoot] = process.argv.slice(2) as [string, string, string];
await pullImage(new RegistryClient({ host }), parseReference(reference), new ContentStore(storeRoot), {
  // Slow enough to be caught in the middle: one layer at a time.
  concurrency: 1,
});
