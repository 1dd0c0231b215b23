/** A tiny SVG line chart of the recent history of a few figures (each 0..100). */
import * as React from 'react';

export interface ISeries {
  /** Values in 0..100, oldest first; null where not available. */
  values: (number | null)[];
  className: string;
  /** Where each value goes across, 0..1 (default: evenly spread over the width). */
  xs?: number[];
}

const WIDTH = 200;
const HEIGHT = 32;
const MAX_POINTS = 240; // about one per pixel of a sidebar

/** At most `n` values, evenly spread, keeping the oldest and the newest. */
export function thin<T>(values: T[], n = MAX_POINTS): T[] {
  if (values.length <= n) {
    return values;
  }
  const last = values.length - 1;
  return Array.from(
    { length: n },
    (_, k) => values[Math.round((k * last) / (n - 1))]
  );
}

function points(values: (number | null)[], xs?: number[]): string {
  const step = 1 / Math.max(1, values.length - 1);
  const out: string[] = [];
  values.forEach((v, i) => {
    if (v !== null) {
      const x = WIDTH * (xs ? xs[i] : i * step);
      const y = HEIGHT - (Math.min(Math.max(v, 0), 100) / 100) * HEIGHT;
      out.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    }
  });
  return out.join(' ');
}

export function Sparkline(props: {
  series: ISeries[];
  label: string;
}): JSX.Element | null {
  if (props.series.every(s => s.values.filter(v => v !== null).length < 2)) {
    return null;
  }
  return (
    <svg
      className="dlm-sparkline"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={props.label}
    >
      {props.series.map(s => (
        <polyline
          key={s.className}
          className={s.className}
          points={s.xs ? points(s.values, s.xs) : points(thin(s.values))}
          fill="none"
          vectorEffect="non-scaling-stroke"
        />
      ))}
    </svg>
  );
}
