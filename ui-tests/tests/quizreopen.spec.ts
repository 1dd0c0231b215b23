/**
 * A course notebook's quiz as a learner finds it again (issue 35, items 5 and 10): saved,
 * closed, reopened with a new kernel, it shows its static copy with the last score, and no
 * "Error displaying widget"; a page reload while the kernel runs brings the live quiz back.
 * Hints and the solution read at AA contrast in both themes, the solution said once.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import { inKernel, printedBy } from './kernel';
import { contrast, toTheme } from './legibility';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const COURSE = '01_why_now.ipynb';
// Where the first single-choice question of why-now is on the page, and which of its boxes
// (as shown, shuffled per learner) are a right and a wrong answer.
const POSITIONS = `
import json
from dlmagics.quiz import catalog
from dlmagics.quiz.shuffle import option_order
quiz = catalog.find("why-now")
index, q = next((i, q) for i, q in enumerate(quiz.questions) if q.type == "single")
order = option_order(q)
print(json.dumps({"question": index, "right": next(k for k, i in enumerate(order) if q.options[i].correct),
                  "wrong": next(k for k, i in enumerate(order) if not q.options[i].correct)}))
`;

test.use({ viewport: { width: 1366, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

/** The console errors that are about widgets or dlmagics, from now on. */
function widgetErrors(page: IJupyterLabPageFixture): string[] {
  const errors: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error' && /widget|model not found|dlmagics|dlm-/i.test(message.text())) {
      errors.push(message.text());
    }
  });
  return errors;
}

const scoreIn = (text: string | null) => /score (\d+%)/.exec(text ?? '')?.[1];

test('a saved and reopened course notebook shows no widget error and its last score', async ({ page, tmpPath }) => {
  test.setTimeout(6 * 60 * 1000);
  const errors = widgetErrors(page);
  const file = `${tmpPath}/${COURSE}`;
  await page.contents.uploadContent(fs.readFileSync(path.join(EXAMPLES, COURSE), 'utf-8'), 'text', file);
  await page.notebook.openByPath(file);
  await page.notebook.activate(COURSE);
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 60000 });
  expect(await printedBy(page, "get_ipython().run_line_magic('load_ext', 'dlmagics')\nget_ipython().run_line_magic('dlquiz', '--reset why-now')")).toContain('starts afresh');
  await page.menu.clickMenuItem('Run>Run All Cells');
  const quiz = page.locator('.jp-Notebook .dlm-quiz');
  await quiz.waitFor({ timeout: 120000 });
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 120000 });
  const where = await inKernel(page, POSITIONS);
  const copy = page.locator('.jp-Notebook .dlm-quiz-static');
  await expect(copy).toBeHidden(); // under the live widget

  // Graded twice, the score changing: the copy a saved notebook keeps follows each time.
  const question = quiz.locator('.dlm-quiz-question').nth(where.question);
  await question.scrollIntoViewIfNeeded();
  const boxes = question.locator('input[type="checkbox"]');
  const scores: string[] = [];
  for (const [box, said] of [
    [where.wrong, /Not yet/],
    [where.right, /Correct/]
  ] as [number, RegExp][]) {
    await boxes.nth(box).click();
    await question.locator('button', { hasText: 'Check' }).click();
    await expect(question.locator('.dlm-live')).toContainText(said);
    const shown = scoreIn(await quiz.locator('.dlm-quiz-score').textContent());
    await expect.poll(async () => scoreIn(await copy.textContent()), { timeout: 15000 }).toBe(shown);
    scores.push(shown!);
  }
  expect(scores[0]).not.toBe(scores[1]);
  const last = scores[1];
  await page.notebook.save();

  // A reload while the kernel runs on: the live quiz comes back (its model is in the kernel).
  await page.reload({ waitForIsReady: false });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 60000 });
  await expect(page.locator('.jp-Notebook .dlm-quiz')).toBeVisible({ timeout: 60000 });
  await expect(page.locator('.jp-Notebook .dlm-quiz .dlm-quiz-score')).toContainText(`score ${last}`);
  await expect(page.locator('.jp-Notebook .dlm-quiz-static')).toBeHidden();

  // Closed, its kernel gone; reopened the next day with a new kernel.
  await page.notebook.save();
  await page.notebook.close(true);
  // Reopened only once the old kernel is gone: a file reopened while its session shuts down can
  // join the dying kernel, and the status bar never says Idle (seen once in CI, on a loaded machine).
  await page.evaluate(async () => {
    const sessions = (window as any).jupyterapp.serviceManager.sessions;
    await sessions.shutdownAll();
    for (let i = 0; i < 300; i++) {
      await sessions.refreshRunning();
      if (Array.from(sessions.running()).length === 0) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  });
  await page.notebook.openByPath(file);
  await page.notebook.activate(COURSE);
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 120000 }); // a new kernel, a loaded machine
  const again = page.locator('.jp-Notebook .dlm-quiz-static');
  await again.scrollIntoViewIfNeeded();
  await expect(again).toBeVisible({ timeout: 30000 });
  await expect(again).toContainText(`score ${last}`);
  // Where the widget was: once decided, nothing (its model is gone), not ipywidgets' error.
  const decided = () =>
    page.locator('.jp-Notebook').evaluate(notebook =>
      /Error displaying widget|model not found/.test(notebook.textContent ?? '')
        ? 'Error displaying widget'
        : notebook.querySelector('.dlm-widget-gone')
          ? 'nothing drawn'
          : 'deciding'
    );
  await expect.poll(decided, { timeout: 30000 }).toBe('nothing drawn');
  await expect(page.locator('.jp-Notebook .dlm-quiz')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.context.model.dirty)).toBe(false);
  expect(errors).toEqual([]);
});

// One run, read in the light theme and then the dark (toTheme).
test('light and dark theme: hints and the solution read at AA contrast, the solution said once', async ({ page }) => {
  test.setTimeout(3 * 60 * 1000);
  await page.notebook.createNew('notes.ipynb');
  await page.notebook.setCell(0, 'code', '%load_ext dlmagics');
  await page.notebook.addCell('code', '%dlquiz --reset why-now');
  await page.notebook.addCell('code', '%dlquiz why-now');
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 60000 });
  await page.menu.clickMenuItem('Run>Run All Cells');
  const quiz = page.locator('.dlm-quiz');
  await quiz.waitFor({ timeout: 60000 });
  // The numeric question with hints: three wrong tries open its solution (practice mode).
  const question = quiz.locator('.dlm-quiz-question').filter({ hasText: 'percentage reduction' });
  await question.scrollIntoViewIfNeeded();
  for (const attempt of [1, 2, 3]) {
    await question.locator('input[type="text"]').fill(`${attempt}`); // each a wrong answer
    await question.locator('button', { hasText: 'Check' }).click();
    await expect(question.locator('.dlm-live')).toContainText(`(attempt ${attempt})`);
  }
  await question.locator('button', { hasText: 'Hint' }).click();
  await expect(question.locator('.dlm-quiz-note', { hasText: 'Hint 1' })).toBeVisible();
  await question.locator('button', { hasText: 'Solution' }).click();
  const feedback = question.locator('.dlm-live');
  await expect(feedback).toContainText(/Solution: [\d.]+ %/);
  expect(((await feedback.textContent()) ?? '').match(/Solution/g)).toHaveLength(1);
  for (const theme of ['light', 'dark']) {
    await toTheme(page, theme);
    await question.screenshot({ path: `screenshots/${theme}-quiz-hint-solution.png` });
    // Read as the question is, not in a lighter grey: the prompt's own colour.
    const colour = (selector: string) => question.locator(selector).first().evaluate(e => getComputedStyle(e).color);
    for (const note of await question.locator('.dlm-quiz-note').all()) {
      expect(await note.evaluate(e => getComputedStyle(e).color)).toBe(await colour('.dlm-quiz-prompt p'));
    }
    const { checked, failures } = await contrast(question.locator('.dlm-quiz-note'));
    expect(checked, `text elements measured, ${theme}`).toBeGreaterThan(0);
    expect(failures, theme).toEqual([]);
  }
});
