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
