/**
 * A graded assignment (issue 31): a notebook converted for nbgrader and released with its CLI;
 * a student answers its quiz by keys in JupyterLab, presses Check, saves with Ctrl+S; the saved
 * file's answer cell holds the answers (the extension writes what the kernel sends), and
 * nbgrader's autograde of that file gives the points the kernel graded.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inKernel, printedBy } from './kernel';
import { toTheme } from './legibility';

const TEACHER = path.join(__dirname, 'nbgrader_course.py');
const QUIZ = 'why-now';
// What the kernel recorded: the answer cell it composes from them, and each graded cell's
// points (the question's points x the answer's score), named as nbgrader names the cells.
const RECORDED = `
import json
from dlmagics.quiz import catalog
from dlmagics.quiz.sheet import answer_cell_source
from dlmagics.quiz.store import ProgressStore
from dlmagics.quiz.tutor import Progress
quiz = catalog.find("${QUIZ}")
progress = Progress.from_records(quiz, ProgressStore().records(quiz.id))
print(json.dumps({"source": answer_cell_source(quiz, progress.answers()),
                  "points": {f"test-{quiz.id}-{q.id}": q.points * progress.questions[q.id].score for q in quiz.scored_questions}}))
`;
const GAP_MS = 90; // a person's typing pace

test.use({ viewport: { width: 1024, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

/** The teacher's side, in the Python that runs the tests (dlmagics, nbgrader). */
function teacher(...args: string[]): string {
  return execFileSync('python', [TEACHER, ...args], { encoding: 'utf-8', timeout: 240000 });
}

async function press(page: IJupyterLabPageFixture, keys: string[]): Promise<void> {
  for (const key of keys) {
    await page.keyboard.press(key);
    await page.waitForTimeout(GAP_MS);
  }
}

/** The answer cell of the quiz in a notebook's JSON, and the answers in it. */
function answerCell(notebook: any): { source: string; answers: Record<string, unknown> } {
  const cells = notebook.cells.filter((c: any) => c.metadata?.dlmagics?.answers_for === QUIZ);
  expect(cells).toHaveLength(1);
  const source = Array.isArray(cells[0].source) ? cells[0].source.join('') : cells[0].source;
  const body = source.split('\n').slice(1).filter((line: string) => !line.trimStart().startsWith('#'));
  let answers: Record<string, unknown> = {};
  try {
    answers = JSON.parse(body.join('\n'));
  } catch {
    // the release's placeholder: no answers yet
  }
  return { source, answers };
}

const saved = (page: IJupyterLabPageFixture, file: string) =>
  page.evaluate(
    async where => (await (window as any).jupyterapp.serviceManager.contents.get(where, { content: true })).content,
    file
  );

// One run (the theme changes no step of it); the saved page is pictured in both themes.
test('answered by keys and saved, the answers are in the file and autograde gives their points', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(6 * 60 * 1000);
  const course = fs.mkdtempSync(path.join(os.tmpdir(), 'dlmagics-course-'));
  const file = `${tmpPath}/quiz.ipynb`;
  await page.contents.uploadContent(teacher('release', course), 'text', file);
  await page.notebook.openByPath(file);
  await page.notebook.activate('quiz.ipynb');
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 60000 });
  expect(
    await printedBy(page, `get_ipython().run_line_magic('load_ext', 'dlmagics')\nget_ipython().run_line_magic('dlquiz', '--reset ${QUIZ}')`)
  ).toContain('starts afresh');
  expect(answerCell(await saved(page, file)).answers).toEqual({}); // as released
  await page.menu.clickMenuItem('Run>Run All Cells');
  const quiz = page.locator('.jp-Notebook .dlm-quiz');
  await quiz.waitFor({ timeout: 120000 });
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 120000 });

  // Three questions by keys: a multiple choice (Enter on an option is Check), a single choice
  // (Tab leaves its group for Check) and a number (typed, then Tab to Check). Focusing each
  // question's first control is the one step not by key.
  const questions = quiz.locator('.dlm-quiz-question');
  const multiple = questions.filter({ has: page.locator('input[type="checkbox"]') }).filter({ hasNot: page.locator('.dlm-quiz-choose-one') }).first();
  const single = questions.filter({ has: page.locator('.dlm-quiz-choose-one') }).first();
  const number = questions.filter({ hasText: 'reduction' }).filter({ has: page.locator('input[type="text"]') }).first();
  await multiple.locator('input[type="checkbox"]').first().focus();
  await press(page, ['Space', 'ArrowDown', 'ArrowDown', 'Space', 'Enter']);
  await expect(multiple.locator('.dlm-live')).toContainText(/Correct|Partly right|Not yet/);
  await single.locator('input[type="checkbox"]').first().focus();
  await press(page, ['ArrowDown', 'Tab', 'Enter']);
  await expect(single.locator('.dlm-live')).toContainText(/Correct|Not yet/);
  await number.locator('input[type="text"]').focus();
  await page.keyboard.type('36.4', { delay: GAP_MS });
  await press(page, ['Tab', 'Enter']);
  await expect(number.locator('.dlm-live')).toContainText('Correct');

  // Saved by keys from where the learner is (the Check button just pressed).
  const recorded = await inKernel(page, RECORDED);
  const live = () =>
    page.evaluate(quizId => {
      const cells = Array.from((window as any).jupyterapp.shell.currentWidget.content.model.cells) as any[];
      return cells.find(c => c.getMetadata('dlmagics')?.answers_for === quizId)?.sharedModel.getSource();
    }, QUIZ);
  await expect.poll(live, { timeout: 15000 }).toBe(recorded.source); // the extension wrote it
  await page.keyboard.press('Control+s');
  await expect.poll(async () => answerCell(await saved(page, file)).source, { timeout: 20000 }).toBe(recorded.source);
  // (the file is written before the server answers the save; the page marks the notebook clean on the answer)
  await expect
    .poll(() => page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.context.model.dirty), { timeout: 10000 })
    .toBe(false);
  const answers = answerCell(await saved(page, file)).answers;
  expect(Object.keys(answers)).toHaveLength(3);
  expect(Object.values(answers)).toContain('36.4'); // what was typed

  const cell = page.locator('.jp-Notebook .jp-Cell').filter({ hasText: '%%dlquiz_answers' });
  await cell.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('nbgrader-light.png') });
  await toTheme(page, 'dark');
  await page.screenshot({ path: test.info().outputPath('nbgrader-dark.png') });

  // The teacher collects the saved file and autogrades it with nbgrader.
  const handedIn = path.join(course, 'handed-in.ipynb');
  fs.writeFileSync(handedIn, JSON.stringify(await saved(page, file)));
  const graded: Record<string, number> = JSON.parse(teacher('autograde', course, handedIn));
  const rounded = (scores: Record<string, number>) =>
    Object.fromEntries(Object.entries(scores).map(([id, score]) => [id, Math.round(score * 1000) / 1000]));
  expect(rounded(graded)).toEqual(rounded(recorded.points));
  expect(Object.values(graded).filter(score => score > 0).length).toBeGreaterThan(0);
  fs.rmSync(course, { recursive: true, force: true });
});
