// The fields `docker images --format` offers (docker/cli formatter/image.go), and the rows
// `docker images` shows for GET /images/json: one per repository:tag, digests on request.
import { goTimeString, humanSize, timeAgo, truncateId } from './units.js';

export interface ImageSummary {
  Id: string;
  ParentId?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created?: number;
  Size?: number;
  SharedSize?: number;
  VirtualSize?: number;
  Labels?: Record<string, string> | null;
  Containers?: number;
}

export const imageHeaders: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT', Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};

export function defaultImagesFormat(digests: boolean): string {
  return `table {{.Repository}}\t{{.Tag}}${digests ? '\t{{.Digest}}' : ''}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}`;
}

export interface ImageRow {
  ID: string; Repository: string; Tag: string; Digest: string; CreatedSince: string; CreatedAt: string;
  Size: string; Containers: string; SharedSize: string; UniqueSize: string; VirtualSize: string;
}

/** "localhost:5000/app:1" → ["localhost:5000/app", "1"]: the tag is after the last colon of the last part. */
export function splitRepoTag(ref: string): [string, string] {
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return [name.slice(0, colon), name.slice(colon + 1)];
  return [name, '<none>'];
}

export function imageRows(image: ImageSummary, trunc: boolean, now = Date.now()): ImageRow[] {
  const digests = image.RepoDigests ?? [];
  const digestOf = (repo: string) => digests.find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? '<none>';
  const base = {
    ID: trunc ? truncateId(image.Id) : image.Id,
    CreatedSince: image.Created ? timeAgo(image.Created, now) : 'N/A',
    CreatedAt: image.Created ? goTimeString(new Date(image.Created * 1000)) : '',
    Size: humanSize(image.Size ?? 0, 3),
    Containers: image.Containers === undefined || image.Containers < 0 ? 'N/A' : String(image.Containers),
    SharedSize: image.SharedSize === undefined || image.SharedSize < 0 ? 'N/A' : humanSize(image.SharedSize, 3),
    UniqueSize: image.SharedSize === undefined || image.SharedSize < 0 ? 'N/A' : humanSize((image.Size ?? 0) - image.SharedSize, 3),
    VirtualSize: humanSize(image.VirtualSize ?? image.Size ?? 0, 3),
  };
  const tags = (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  if (tags.length) return tags.map((t) => {
    const [repo, tag] = splitRepoTag(t);
    return { ...base, Repository: repo, Tag: tag, Digest: digestOf(repo) };
  });
  const realDigests = digests.filter((d) => d !== '<none>@<none>');
  if (realDigests.length) return realDigests.map((d) => {
    const [repo, digest] = d.split('@') as [string, string];
    return { ...base, Repository: repo, Tag: '<none>', Digest: digest };
  });
  return [{ ...base, Repository: '<none>', Tag: '<none>', Digest: '<none>' }];
}
