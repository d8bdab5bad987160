// docker save / docker load: image archives in Docker's and OCI's layouts, and OCI layout directories.
export { saveImages, type ArchiveFormat, type SaveOptions } from './save.js';
export { loadImages, archiveEntryName, type LoadOptions } from './load.js';
export { loadOciLayoutDirectory, type LoadOciLayoutOptions } from './oci-layout-directory.js';
export type { LoadResult, LoadedImage } from './record.js';
