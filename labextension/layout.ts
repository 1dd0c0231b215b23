/** How the sidebar's sections share its height: no DOM, so jest tests it. */

/** Split `room` among sections that want `wanted`: each gets what it wants, up to an even
 * share, and what the smaller ones leave goes to the others (max-min fair). */
export function shareEvenly(wanted: number[], room: number): number[] {
  const given = wanted.map(() => 0);
  let left = Math.max(0, room);
  let open = wanted.map((_, i) => i);
  while (open.length > 0 && left > 0.5) {
    const share = left / open.length;
    const small = open.filter(i => wanted[i] - given[i] <= share);
    if (small.length === 0) {
      open.forEach(i => (given[i] += share));
      break;
    }
    small.forEach(i => {
      left -= wanted[i] - given[i];
      given[i] = wanted[i];
    });
    open = open.filter(i => !small.includes(i));
  }
  return given;
}

/** The height below which a section is not shrunk: a Runs card's title, Stop and step line,
 * or a GPU card's first rows. A section whose content is shorter is never made shorter. */
export const LEAST_PX = 120;

/** The least height of a section whose content is `content` px tall. */
export function leastHeight(content: number): number {
  return Math.min(content, LEAST_PX);
}

/**
 * Heights for the open sections, top to bottom, that fill `room`. Each wants its content's
 * height (`wanted`) and gets at least its least height. The first (the GPU card) stays whole
 * while the others keep their least; they share what is left max-min fairly (none gets more
 * than it wants; one that gets less scrolls). Room over goes to the last, whose content
 * grows (the Runs). When even the least heights do not fit, each keeps its least: the
 * sidebar is then taller than the window, and the panel's own layout cuts the last.
 */
export function fitSections(wanted: number[], room: number): number[] {
  if (wanted.length === 0) {
    return [];
  }
  const least = wanted.map(leastHeight);
  const othersLeast = least.slice(1).reduce((a, b) => a + b, 0);
  const first = Math.max(least[0], Math.min(wanted[0], room - othersLeast));
  const extra = shareEvenly(
    wanted.slice(1).map((w, i) => w - least[i + 1]),
    room - first - othersLeast
  );
  const sizes = [first, ...least.slice(1).map((l, i) => l + extra[i])];
  sizes[sizes.length - 1] += Math.max(0, room - sizes.reduce((a, b) => a + b, 0));
  return sizes;
}
