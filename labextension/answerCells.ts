/**
 * The answer cells of a notebook converted for nbgrader (`python -m dlmagics.nbgrader`): after
 * each answer, and when a quiz answered before is shown, the kernel sends the quiz's answer-cell
 * text (`quiz_answers`), and it is written
 * into every code cell marked `metadata.dlmagics.answers_for == quiz`, so saving the notebook
 * keeps the answers where nbgrader's autograde sees them (cell sources, run afresh).
 *
 * The text is made in the kernel; this side only writes it. A notebook without such a cell
 * is left alone.
 */
import type { IMessageReader } from './protocol';
import { isObject } from './protocol';

/** Since 1.10.0: the text of a quiz's answer cell. */
export interface IQuizAnswersMessage {
  type: 'quiz_answers';
  quiz: string;
  /** The cell that showed the quiz, or null. */
  cell_id: string | null;
  /** The whole answer-cell source. */
  source: string;
}

/** Reads `quiz_answers`: a message for the notebook itself, not for a sidebar section. */
export const quizAnswersReader: IMessageReader = {
  types: ['quiz_answers'],
  parse: data =>
    typeof data.quiz === 'string' &&
    typeof data.source === 'string' &&
    (data.cell_id === null || typeof data.cell_id === 'string')
      ? (data as unknown as IQuizAnswersMessage)
      : null
};

/** The parts of a notebook's cell models used here (JupyterLab 4's ICellModel has them). */
export interface IAnswerCellLike {
  readonly type: string;
  getMetadata(key: string): unknown;
  readonly sharedModel: { getSource(): string; setSource(source: string): void };
}

/** Write the kernel's answer-cell text into the notebook's answer cells of its quiz; returns
 * how many changed. A cell that already holds the text is not touched (nor made dirty). */
export function writeAnswerCells(cells: Iterable<IAnswerCellLike>, msg: IQuizAnswersMessage): number {
  let changed = 0;
  for (const cell of cells) {
    const marks = cell.type === 'code' ? cell.getMetadata('dlmagics') : undefined;
    if (isObject(marks) && marks.answers_for === msg.quiz && cell.sharedModel.getSource() !== msg.source) {
      cell.sharedModel.setSource(msg.source);
      changed++;
    }
  }
  return changed;
}
