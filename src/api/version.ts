// The Docker Engine API versions berthd speaks. It advertises the highest version whose
// features it implements; clients negotiate down to it (a docker v28 client refuses < 1.40).
export const apiVersion = '1.43';
export const minApiVersion = '1.24';

/** Compares "1.41" and "1.43" numerically: negative, zero or positive. */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
