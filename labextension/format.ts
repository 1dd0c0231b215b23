/** Number formatting shared by the sidebar's views. */

const GIB = 1024 ** 3;

export function gib(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined
    ? 'n/a'
    : `${(bytes / GIB).toFixed(2)} GiB`;
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
