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

/** Seconds as %%gpubench prints them: 3 significant figures, in s, ms, µs or ns. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) {
    return 'n/a';
  }
  for (const [scale, unit] of [
    [1, 's'],
    [1e-3, 'ms'],
    [1e-6, 'µs']
  ] as [number, string][]) {
    if (seconds >= scale * 0.9995) {
      return `${Number((seconds / scale).toPrecision(3))} ${unit}`;
    }
  }
  return `${Number((seconds * 1e9).toPrecision(3))} ns`;
}

/** A ratio as %%gpubench prints it: 3 significant figures. */
export function sig3(value: number): string {
  return String(Number(value.toPrecision(3)));
}
