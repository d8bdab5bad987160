// Image formats: media types, manifests and indexes, configs, platforms.
export * from './media-types.js';
export * from './manifest.js';
export * from './image-config.js';
export * from './platform.js';
