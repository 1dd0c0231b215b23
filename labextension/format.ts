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

/**
 * A fraction as a whole percentage, rounded as the kernel's `f"{x:.0%}"` rounds it (half to
 * even: 0.125 is "12%", 0.375 "38%"), so a score reads the same in the cell and the sidebar.
 * x * 100 is the same double on both sides, and the part below one is exact.
 */
export function percentText(fraction: number): string {
  const x = fraction * 100;
  const whole = Math.floor(x);
  const rest = x - whole;
  const up = rest > 0.5 || (rest === 0.5 && whole % 2 !== 0);
  return `${up ? whole + 1 : whole}%`;
}

/** A time of day as the kernel's %gpumon prints it: 24-hour "19:41:11", local time. */
export function clockText(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map(n => String(n).padStart(2, '0')).join(':');
}
