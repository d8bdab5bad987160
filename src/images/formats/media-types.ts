// Media types of the two image formats berth reads and writes: Docker's (manifest v2 schema 2
// and manifest lists) and OCI's (image-spec 1.x). A registry serves either; both describe the
// same things, so berth parses them into one shape (see manifest.ts).

export const MediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
} as const;

/** What a manifest request accepts, most specific first (the order registries weigh). */
export const manifestAcceptTypes: readonly string[] = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
];

export const indexMediaTypes: ReadonlySet<string> = new Set([MediaType.ociIndex, MediaType.dockerManifestList]);
export const imageManifestMediaTypes: ReadonlySet<string> = new Set([MediaType.ociManifest, MediaType.dockerManifest]);
export const configMediaTypes: ReadonlySet<string> = new Set([MediaType.ociConfig, MediaType.dockerConfig]);

export const layerMediaTypes: ReadonlySet<string> = new Set([
  MediaType.dockerLayerGzip,
  MediaType.dockerForeignLayerGzip,
  MediaType.ociLayer,
  MediaType.ociLayerGzip,
  MediaType.ociLayerZstd,
  MediaType.ociLayerNondistributable,
  MediaType.ociLayerNondistributableGzip,
]);
