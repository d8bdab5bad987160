// v1 hugetlb controller: one limit file per huge page size.
import type { ControlDir } from '../files.js';

export async function setHugetlb(dir: ControlDir, limits: { pageSize: string; limit: number }[]): Promise<void> {
  for (const [i, h] of limits.entries()) {
    await dir.write(`hugetlb.${h.pageSize}.limit_in_bytes`, h.limit, `linux.resources.hugepageLimits[${i}]`);
  }
}
