/** The answer cells of a converted (nbgrader) notebook take the kernel's quiz_answers text. */
import { IAnswerCellLike, IQuizAnswersMessage, writeAnswerCells } from '../answerCells';
import { KernelChannel } from '../model';
import { snapshot } from './fixtures';
import { MockKernel, MockSessionContext, flush } from './mocks';
// A real message from the kernel, written by Python (protocol.quiz_answers_message).
import answers from './quiz_answers.json';

const message = answers as IQuizAnswersMessage;

/** A notebook cell model as JupyterLab 4 gives it: its type, metadata and shared source. */
class FakeCell implements IAnswerCellLike {
  constructor(
    readonly type: string,
    readonly metadata: Record<string, unknown>,
    private _source: string
  ) {}
  writes = 0;
  getMetadata(key: string): unknown {
    return this.metadata[key];
  }
  readonly sharedModel = {
    getSource: () => this._source,
    setSource: (source: string) => {
      this._source = source;
      this.writes++;
    }
  };
}

/** A converted notebook: the quiz, its answer cell, another quiz's, a look-alike or two. */
function notebook() {
  const empty = '%%dlquiz_answers why-now\n';
  return {
    quiz: new FakeCell('code', { nbgrader: { locked: true } }, '%dlquiz why-now'),
    answers: new FakeCell('code', { dlmagics: { answers_for: 'why-now' }, nbgrader: { solution: true } }, empty),
    copy: new FakeCell('code', { dlmagics: { answers_for: 'why-now' } }, ''),
    other: new FakeCell('code', { dlmagics: { answers_for: 'gpus' } }, '%%dlquiz_answers gpus\n'),
    markdown: new FakeCell('markdown', { dlmagics: { answers_for: 'why-now' } }, 'Answer below.'),
    odd: new FakeCell('code', { dlmagics: 'why-now' }, 'x = 1')
  };
}

describe('writeAnswerCells', () => {
  it("sets the source of each code cell marked for the message's quiz, and of no other", () => {
    const cells = notebook();
    const before = Object.fromEntries(Object.entries(cells).map(([k, c]) => [k, c.sharedModel.getSource()]));
    expect(writeAnswerCells(Object.values(cells), message)).toBe(2);
    expect(cells.answers.sharedModel.getSource()).toBe(message.source);
    expect(cells.copy.sharedModel.getSource()).toBe(message.source);
    for (const name of ['quiz', 'other', 'markdown', 'odd'] as const) {
      expect(cells[name].sharedModel.getSource()).toBe(before[name]);
      expect(cells[name].writes).toBe(0);
    }
    expect(cells.answers.metadata).toEqual({ dlmagics: { answers_for: 'why-now' }, nbgrader: { solution: true } });
  });

  it('a cell that holds the text already is not written again (the notebook stays clean)', () => {
    const cells = notebook();
    writeAnswerCells(Object.values(cells), message);
    expect(writeAnswerCells(Object.values(cells), message)).toBe(0);
    expect(cells.answers.writes).toBe(1);
    const later = { ...message, source: message.source.replace('36.4', '36.43') };
    expect(writeAnswerCells(Object.values(cells), later)).toBe(2);
    expect(cells.answers.sharedModel.getSource()).toContain('"36.43"');
  });

  it('a notebook without answer cells (not converted) is left alone', () => {
    const plain = [new FakeCell('code', {}, '%dlquiz why-now'), new FakeCell('markdown', {}, '# Notes')];
    expect(writeAnswerCells(plain, message)).toBe(0);
    expect(plain.map(c => c.writes)).toEqual([0, 0]);
  });
});

describe('KernelChannel and quiz_answers', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('hands the message on to the notebook and keeps no sidebar state of it', async () => {
    const kernel = new MockKernel();
    const channel = new KernelChannel(new MockSessionContext(kernel) as any, () => 'Untitled.ipynb');
    await flush();
    const comm = kernel.opens(snapshot([]));
    const got: IQuizAnswersMessage[] = [];
    channel.quizAnswers.connect((_, msg) => got.push(msg));
    const state = channel.state;
    comm.receive(answers);
    expect(got).toEqual([answers]);
    expect(channel.state).toBe(state);
    comm.receive({ ...answers, source: 7 }); // malformed: ignored, with a warning
    comm.receive({ type: 'quiz_answers', quiz: 'why-now', cell_id: null });
    expect(got).toHaveLength(1);
    expect(console.warn).toHaveBeenCalledTimes(2);
    channel.dispose();
  });
});
