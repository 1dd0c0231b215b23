import { LEAST_PX, fitSections, leastHeight } from '../layout';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('the DL Magics panel sharing its height among its open sections', () => {
  it('all fit: each as tall as its content, the room over to the last (the Runs)', () => {
    expect(fitSections([200, 80, 150], 600)).toEqual([200, 80, 320]);
    expect(fitSections([200, 80], 600)).toEqual([200, 400]); // the Runs collapsed: the Quizzes get it
    expect(fitSections([300], 500)).toEqual([500]);
  });

  it('too little room: the GPU card whole, the others share the rest, none under its least height', () => {
    // As at 768 px high with two quizzes and a demo training: no sliver, no section cut short.
    expect(fitSections([230, 315, 400], 560)).toEqual([230, 165, 165]);
    expect(fitSections([230, 60, 400], 560)).toEqual([230, 60, 270]); // a short list keeps its own height
    expect(fitSections([230, 315, 400], 300)).toEqual([LEAST_PX, LEAST_PX, LEAST_PX]);
    for (const room of [200, 360, 450, 700, 1000]) {
      const sizes = fitSections([230, 315, 400], room);
      sizes.forEach(s => expect(s).toBeGreaterThanOrEqual(LEAST_PX));
      expect(sum(sizes)).toBeGreaterThanOrEqual(Math.min(room, 3 * LEAST_PX) - 1e-9);
    }
  });

  it('a section is never made shorter than its content or the least height, whichever is less', () => {
    expect(leastHeight(50)).toBe(50);
    expect(leastHeight(500)).toBe(LEAST_PX);
    expect(fitSections([], 300)).toEqual([]);
  });
});
