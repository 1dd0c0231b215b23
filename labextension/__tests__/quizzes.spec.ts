/** Quiz messages in the sidebar model, and the overall score. */
import { IKernelState, initialState, partOf, reduce } from '../model';
import { IQuizStatus, parseKernelMessage } from '../protocol';
import { overallScore, quizzesSection } from '../quizzes';
import { sections } from '../sections';
import { snapshot } from './fixtures';
import { render } from './render';
import { clockText, percentText } from '../format';
import scores from './percent.json';

function status(id: string, answered: number, points: number): IQuizStatus {
  return {
    id,
    title: id.toUpperCase(),
    answered,
    total: 4,
    correct: answered,
    points,
    max_points: 4,
    score: points / 4,
    submissions: 0,
    mode: 'practice',
    cell_id: `cell-${id}`
  };
}

const quizzes = (state: IKernelState) => partOf(state, quizzesSection);

describe('quizzes', () => {
  const connected = reduce(initialState('connecting'), snapshot([]));

  it('a quiz message adds a quiz, then updates it in place', () => {
    let state = reduce(connected, { type: 'quiz', quiz: status('a', 0, 0) });
    state = reduce(state, { type: 'quiz', quiz: status('b', 1, 1) });
    state = reduce(state, { type: 'quiz', quiz: status('a', 2, 2) });
    expect(quizzes(state).map(q => [q.id, q.answered])).toEqual([
      ['a', 2],
      ['b', 1]
    ]);
    expect(overallScore(quizzes(state))).toBeCloseTo(3 / 8);
  });

  it('a snapshot brings the kernel quizzes; an older kernel keeps ours', () => {
    const withQuiz = reduce(connected, { type: 'quiz', quiz: status('a', 1, 1) });
    const fresh = reduce(withQuiz, { ...snapshot([]), quizzes: [status('c', 3, 3)] });
    expect(quizzes(fresh).map(q => q.id)).toEqual(['c']);
    expect(quizzes(reduce(withQuiz, snapshot([]))).map(q => q.id)).toEqual(['a']);
  });

  it('malformed quiz messages are refused', () => {
    expect(parseKernelMessage({ type: 'quiz', quiz: status('a', 1, 1) }, sections)).not.toBeNull();
    expect(parseKernelMessage({ type: 'quiz' }, sections)).toBeNull();
    expect(parseKernelMessage({ type: 'quiz', quiz: { id: 'a' } }, sections)).toBeNull();
    // In a snapshot, a malformed quizzes share is left out; the section keeps what it had.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const before = reduce(initialState('connecting'), { ...snapshot([]), quizzes: [status('a', 1, 1)] });
    const bad = parseKernelMessage({ ...snapshot([]), quizzes: [{ id: 3 }] }, sections)!;
    expect(partOf(reduce(before, bad), quizzesSection)).toBe(partOf(before, quizzesSection));
    jest.restoreAllMocks();
  });

  it('no quizzes score zero overall', () => {
    expect(overallScore([])).toBe(0);
  });

  it('a score reads as in the cell: rounded half to even, as the kernel rounds (12%, not 13%)', () => {
    for (const [fraction, words] of scores.percent as [number, string][]) {
      expect([fraction, percentText(fraction)]).toEqual([fraction, words]);
    }
    // one point of eight: the cell says 12%, and so does the sidebar, row and overall
    const eighth = { ...status('a', 1, 0.5), score: 0.125 };
    const html = render(quizzesSection, reduce(connected, { type: 'quiz', quiz: eighth }));
    expect(html).toContain('<b class="dlm-quiz-score">12%</b>');
    expect(html).toContain('Overall: <b>12%</b>');
    expect(html).not.toContain('13%');
  });
});

describe('the clock', () => {
  it("reads as %gpumon's: 24-hour, two digits each", () => {
    const t = new Date(2026, 11, 4, 19, 41, 4).getTime() / 1000;
    expect(clockText(t)).toBe('19:41:04');
    expect(clockText(new Date(2026, 11, 4, 7, 5, 9).getTime() / 1000)).toBe('07:05:09');
  });
});
