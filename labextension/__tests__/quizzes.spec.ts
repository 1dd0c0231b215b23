/** Quiz messages in the sidebar model, and the overall score. */
import { initialState, reduce } from '../model';
import { IQuizStatus, parseKernelMessage } from '../protocol';
import { overallScore } from '../quizzes';
import { snapshot } from './fixtures';

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

describe('quizzes', () => {
  const connected = reduce(initialState('connecting'), snapshot([]));

  it('a quiz message adds a quiz, then updates it in place', () => {
    let state = reduce(connected, { type: 'quiz', quiz: status('a', 0, 0) });
    state = reduce(state, { type: 'quiz', quiz: status('b', 1, 1) });
    state = reduce(state, { type: 'quiz', quiz: status('a', 2, 2) });
    expect(state.quizzes.map(q => [q.id, q.answered])).toEqual([
      ['a', 2],
      ['b', 1]
    ]);
    expect(overallScore(state.quizzes)).toBeCloseTo(3 / 8);
  });

  it('a snapshot brings the kernel quizzes; an older kernel keeps ours', () => {
    const withQuiz = reduce(connected, { type: 'quiz', quiz: status('a', 1, 1) });
    const fresh = reduce(withQuiz, { ...snapshot([]), quizzes: [status('c', 3, 3)] });
    expect(fresh.quizzes.map(q => q.id)).toEqual(['c']);
    expect(reduce(withQuiz, snapshot([])).quizzes.map(q => q.id)).toEqual(['a']);
  });

  it('malformed quiz messages are refused', () => {
    expect(parseKernelMessage({ type: 'quiz', quiz: status('a', 1, 1) })).not.toBeNull();
    expect(parseKernelMessage({ type: 'quiz' })).toBeNull();
    expect(parseKernelMessage({ type: 'quiz', quiz: { id: 'a' } })).toBeNull();
    expect(
      parseKernelMessage({ ...snapshot([]), quizzes: [{ id: 3 }] })
    ).toBeNull();
  });

  it('no quizzes score zero overall', () => {
    expect(overallScore([])).toBe(0);
  });
});
