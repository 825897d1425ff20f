/** String search matching: case-insensitive and accent-insensitive (so "Jansen" finds "Jänsen"), as R4 asks. */
export function normaliseString(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();
}
