/** Number formatting shared by the sidebar's views. */

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Bytes as a person reads them: GiB from 1 GiB up, MiB below. */
export function size(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return 'n/a';
  }
  return bytes >= GIB
    ? `${(bytes / GIB).toFixed(2)} GiB`
    : `${(bytes / MIB).toFixed(0)} MiB`;
}

export function num(
  value: number | null | undefined,
  unit: string,
  digits = 0
): string {
  return value === null || value === undefined
    ? 'n/a'
    : `${value.toFixed(digits)}${unit}`;
}

export function percent(part: number | null, whole: number | null): number | null {
  return part === null || !whole ? null : (100 * part) / whole;
}
