/** The sidebar's Quizzes section: each quiz of the active notebook's kernel, with its score. */
import * as React from 'react';
import { percentText } from './format';
import type { ChannelStatus } from './model';
import { IQuizMessage, IQuizStatus, isArrayOf, isQuizStatus } from './protocol';
import type { ISection } from './sections';

/** The quizzes shown in a kernel, in the order they were first shown. */
export const quizzesSection: ISection<IQuizStatus[], IQuizMessage> = {
  id: 'quizzes',
  title: 'Quizzes',
  rank: 200,
  types: ['quiz'],
  parse: data => (isQuizStatus(data.quiz) ? (data as unknown as IQuizMessage) : null),
  checkSnapshot: snapshot =>
    snapshot.quizzes === undefined || isArrayOf(snapshot.quizzes, isQuizStatus),
  initial: [],
  fromSnapshot: (part, snapshot) => snapshot.quizzes ?? part,
  reduce: (part, msg) => {
    const quizzes = part.filter(q => q.id !== msg.quiz.id);
    const at = part.findIndex(q => q.id === msg.quiz.id);
    quizzes.splice(at < 0 ? quizzes.length : at, 0, msg.quiz);
    return quizzes;
  },
  readsStatus: true,
  View: props => (
    <QuizzesSection
      status={props.status}
      quizzes={props.part}
      revealCell={cellId => props.host.reveal(cellId)}
    />
  )
};

export interface IQuizzesSectionProps {
  status: ChannelStatus | null;
  quizzes: IQuizStatus[];
  /** Scroll the active notebook to a cell; false when it has no such cell. */
  revealCell: (cellId: string) => boolean;
}

export function overallScore(quizzes: IQuizStatus[]): number {
  const total = quizzes.reduce((sum, q) => sum + q.max_points, 0);
  const points = quizzes.reduce((sum, q) => sum + q.points, 0);
  return total > 0 ? points / total : 0;
}

export function QuizzesSection(props: IQuizzesSectionProps): JSX.Element {
  const { revealCell } = props;
  const quizzes = props.status === 'connected' ? props.quizzes : [];
  if (quizzes.length === 0) {
    return (
      <div className="dlm-quizzes" data-count="0">
        <p className="dlm-hint">
          No quiz in this notebook yet. Run <code>%dlquiz</code> to list them,
          then <code>%dlquiz ID</code>.
        </p>
      </div>
    );
  }
  return (
    <div className="dlm-quizzes" data-count={quizzes.length}>
      <ul className="dlm-quiz-list">
        {quizzes.map(q => (
          <QuizRow key={q.id} quiz={q} revealCell={revealCell} />
        ))}
      </ul>
      <p className="dlm-quiz-overall">
        Overall: <b>{percentText(overallScore(quizzes))}</b> of{' '}
        {quizzes.reduce((n, q) => n + q.total, 0)} questions
      </p>
    </div>
  );
}

function QuizRow(props: {
  quiz: IQuizStatus;
  revealCell: (cellId: string) => boolean;
}): JSX.Element {
  const { quiz, revealCell } = props;
  const [missing, setMissing] = React.useState(false);
  const open = () => {
    setMissing(!(quiz.cell_id && revealCell(quiz.cell_id)));
  };
  const label = `${quiz.title}: ${quiz.answered} of ${quiz.total} answered, ${quiz.correct} correct, score ${percentText(quiz.score)}`;
  return (
    <li className="dlm-quiz-row" data-quiz={quiz.id}>
      <button
        className="dlm-quiz-open"
        onClick={open}
        title={quiz.cell_id ? 'Scroll to this quiz' : 'The cell is not known'}
        aria-label={label}
      >
        <span className="dlm-quiz-title">{quiz.title}</span>
        <span className="dlm-quiz-counts">
          <span className="dlm-quiz-answered">
            {quiz.answered}/{quiz.total}
          </span>{' '}
          answered · {quiz.correct} correct ·{' '}
          <b className="dlm-quiz-score">{percentText(quiz.score)}</b>
          {quiz.mode && quiz.mode !== 'practice' ? ` · ${quiz.mode}` : ''}
        </span>
        <span className="dlm-quiz-bar" aria-hidden="true">
          <span style={{ width: `${Math.min(Math.max(quiz.score, 0), 1) * 100}%` }} />
        </span>
      </button>
      {missing && (
        <span className="dlm-hint">
          Its cell is not in this notebook any more.
        </span>
      )}
    </li>
  );
}
