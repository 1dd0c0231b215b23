/**
 * Legible in the light and the dark theme, at 1366x768 and 1024x768, and usable with the
 * keyboard alone: the sidebar, a live dashboard, a finished demo, a %%gpubench report and a
 * quiz with feedback, in a real JupyterLab with a real kernel.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { inView, lowContrast, toTheme } from './legibility';

const SIDEBAR = 'dlmagics-sidebar';
const SHOTS = 'screenshots';

const FRESH = '%load_ext dlmagics\n%dlquiz --reset why-now'; // no answers left from another test
const CELLS = [
  FRESH,
  '%%gpubench -d cpu,cpu:1 --budget 0.3\nimport torch\na = torch.randn(256, 256)\na @ a',
  '%dlquiz why-now',
  '%train_demo optimizers --epochs 300', // long enough to look at while it trains; stopped below
  '%train_demo vanishing --quick',
  // The check's own control: grey #777 is under 4.5:1 on white and on JupyterLab's dark page.
  'from IPython.display import HTML\nHTML(\'<p style="color:#777">grey text</p>\')'
];
const [BENCH, QUIZ, LIVE, FINISHED, CONTROL] = [1, 2, 3, 4, 5];

// kernels: null, Galata's kernel tracking would fail on the interrupt's empty reply (HTTP 204)
// that Stop sends below; the tests shut their kernels down themselves.
test.use({ viewport: { width: 1366, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

/** A new notebook holding CELLS, nothing run yet. */
async function notebookWith(page: IJupyterLabPageFixture, name: string, cells: string[]) {
  await page.notebook.createNew(name);
  await page.notebook.setCell(0, 'code', cells[0]);
  for (const source of cells.slice(1)) {
    await page.notebook.addCell('code', source);
  }
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 60000 });
}

function output(page: IJupyterLabPageFixture, index: number) {
  return page.locator('.jp-Notebook .jp-Cell').nth(index).locator('.jp-OutputArea');
}

/** What the learner sees with the element at the top of the notebook's view. */
async function shot(page: IJupyterLabPageFixture, element: Locator, file: string) {
  await element.evaluate(node => node.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: `${SHOTS}/${file}` });
}

/** The dashboard's controls and its first curve, all in view at once. */
async function controlsAndCurveInView(page: IJupyterLabPageFixture) {
  const dashboard = page.locator('.dlm-dashboard').first();
  await dashboard.evaluate(node => node.scrollIntoView({ block: 'start' }));
  const parts = {
    pause: dashboard.locator('button', { hasText: 'Pause' }),
    stop: dashboard.locator('button', { hasText: 'Stop' }),
    slider: dashboard.locator('.widget-slider'),
    curve: dashboard.locator('svg polyline').first()
  };
  const seen: { [name: string]: boolean } = {};
  for (const [name, part] of Object.entries(parts)) {
    seen[name] = await inView(part);
  }
  return seen;
}

/** The live dashboard in the current theme: a curve drawn, its controls in view with it at
 * both screen sizes, legible. */
async function checkLive(page: IJupyterLabPageFixture, theme: string) {
  const all = { pause: true, stop: true, slider: true, curve: true };
  // Polled: the cells above may still be growing (a quiz typesets its maths) and move it.
  await expect.poll(() => controlsAndCurveInView(page), { message: 'at 1366x768', timeout: 15000 }).toEqual(all);
  await page.screenshot({ path: `${SHOTS}/${theme}-dashboard-live.png` });
  expect(await lowContrast(page.locator('.dlm-dashboard')), `the live dashboard, ${theme}`).toEqual([]);
  await page.setViewportSize({ width: 1024, height: 768 });
  await expect.poll(() => controlsAndCurveInView(page), { message: 'at 1024x768', timeout: 15000 }).toEqual(all);
  await page.screenshot({ path: `${SHOTS}/${theme}-dashboard-1024x768.png` });
  // The chart labels keep their size on the narrow screen (the SVG is not scaled down).
  // (Polled: each frame replaces the SVG, and a replaced one measures 0.)
  await expect
    .poll(() => page.locator('.dlm-dashboard svg text').first().evaluate(t => t.getBoundingClientRect().height))
    .toBeGreaterThanOrEqual(10);
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** Every finished view and the sidebar in the current theme: pictured, and no text under AA. */
async function checkFinished(page: IJupyterLabPageFixture, theme: string, first: Locator) {
  const shots: [string, number][] = [
    ['gpubench', BENCH],
    ['quiz-feedback', QUIZ],
    ['demo-stopped', LIVE],
    ['demo-finished', FINISHED]
  ];
  for (const [view, index] of shots) {
    await shot(page, view === 'quiz-feedback' ? first : output(page, index), `${theme}-${view}.png`);
  }
  const sidebar = page.locator(`#${SIDEBAR}`);
  await sidebar.screenshot({ path: `${SHOTS}/${theme}-sidebar.png` });
  const low: string[] = [];
  for (const index of [BENCH, QUIZ, LIVE, FINISHED]) {
    await output(page, index).scrollIntoViewIfNeeded();
    low.push(...(await lowContrast(output(page, index).locator('.jp-OutputArea-output'))));
  }
  low.push(...(await lowContrast(sidebar)));
  const control = await lowContrast(output(page, CONTROL).locator('.jp-OutputArea-output'));
  expect(control, `the check finds grey text too low, ${theme}`).toEqual([expect.stringContaining('"grey text"')]);
  expect(low, `text under 4.5:1 in the ${theme} theme`).toEqual([]);
}

// One run, read in both themes (toTheme) while it trains and once everything finished.
test("light and dark theme: every view reads at AA contrast, the dashboard's controls stay by its curves", async ({
  page
}) => {
  test.setTimeout(6 * 60 * 1000);
  await notebookWith(page, 'themes.ipynb', CELLS);
  await page.sidebar.openTab(SIDEBAR);
  await page.menu.clickMenuItem('Run>Run All Cells');

  // The live dashboard: a curve drawn, controls in view with it, at both screen sizes.
  await page.locator('.dlm-dashboard svg polyline').first().waitFor({ timeout: 120000 });
  for (const theme of ['light', 'dark']) {
    await toTheme(page, theme);
    await checkLive(page, theme);
  }
  // Stop works while the next cell waits for the run (the kernel reads no widget message
  // then: the click becomes an interrupt), and the dashboard says so beforehand.
  await expect(page.locator('.dlm-dashboard.dlm-waited')).toContainText('A cell is waiting for this run');
  await page.locator('.dlm-dashboard button', { hasText: 'Stop' }).click();
  await expect(output(page, LIVE)).toContainText('Stopped after', { timeout: 30000 });
  await expect(output(page, FINISHED)).toContainText('stopped by the interrupt');

  // Everything finished: the finished demo, the report, the sidebar.
  await expect(output(page, FINISHED).locator('.dlm-demo-final')).toBeVisible({ timeout: 180000 });
  await expect(output(page, CONTROL)).toContainText('grey text', { timeout: 30000 });

  // The quiz, with feedback: an answer to its first question, checked.
  const quiz = output(page, QUIZ).locator('.dlm-quiz');
  // Its static copy (for exports) is in the output, hidden under the drawn widget.
  await expect(output(page, QUIZ).locator('.dlm-quiz-static')).toHaveCount(1);
  await expect(output(page, QUIZ).locator('.dlm-quiz-static')).toBeHidden();
  const first = quiz.locator('.dlm-quiz-question').first();
  await first.locator('input[type="checkbox"]').first().check();
  await first.locator('button', { hasText: 'Check' }).click();
  await expect(first.locator('.dlm-live')).toContainText(/Not yet|Partly right|Correct/);
  await expect(output(page, FINISHED)).toContainText(/Lesson (shown|not shown)/);
  await expect(output(page, FINISHED)).toContainText('1e-10 or less'); // the heat map's colour scale
  const sidebar = page.locator(`#${SIDEBAR}`);
  await expect(sidebar.locator('.dlm-gpu')).toHaveAttribute('data-status', 'connected');
  await expect(sidebar.locator('.dlm-quiz-row')).not.toHaveCount(0);
  // The Runs section holds the report's result and the stopped demo: their text is checked too.
  await expect(sidebar.locator('.dlm-bench-row')).not.toHaveCount(0);
  await expect(sidebar.locator('.dlm-training')).toHaveCount(1);
  for (const theme of ['dark', 'light']) {
    await toTheme(page, theme);
    await checkFinished(page, theme, first);
  }
});

test('a quiz answered with the keyboard alone; notebook shortcuts stay out of it', async ({ page }) => {
  test.setTimeout(3 * 60 * 1000);
  await notebookWith(page, 'keys.ipynb', [FRESH, '%dlquiz why-now']);
  await page.menu.clickMenuItem('Run>Run All Cells');
  const quiz = page.locator('.dlm-quiz');
  await quiz.waitFor({ timeout: 60000 });
  const before = await page.evaluate(() => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    return { cells: panel.content.widgets.length, active: panel.content.activeCellIndex, kernel: panel.sessionContext.session.kernel.id };
  });
  // The live region is there before any feedback (so the first one is read out).
  const question = quiz.locator('.dlm-quiz-question').first();
  await expect(question.locator('.dlm-live')).toHaveAttribute('aria-live', 'polite');
  await expect(question.locator('.dlm-live')).toHaveText('');

  // Into the quiz: focus on its first checkbox (the one step not done by key: JupyterLab has no
  // key that enters an output), then only keys.
  const boxes = question.locator('input[type="checkbox"]');
  await boxes.first().focus();
  // Notebook shortcuts typed with the quiz focused: restart (0 0), insert (a, b), cut (x),
  // delete (d d), move (arrows) must do nothing to the notebook or the kernel.
  for (const key of ['0', '0', 'a', 'b', 'x', 'd', 'd', 'ArrowDown', 'ArrowUp', 'ArrowDown']) {
    await page.keyboard.press(key);
  }
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  const after = await page.evaluate(() => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    return { cells: panel.content.widgets.length, active: panel.content.activeCellIndex, kernel: panel.sessionContext.session.kernel.id };
  });
  expect(after).toEqual(before);
  // The arrows moved the focus within the group: down, up, down is the second box.
  await expect(boxes.nth(1)).toBeFocused();

  // Answer by keys: Space ticks the focused box, ArrowDown moves on, Space ticks the next.
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await expect(boxes.nth(1)).toBeChecked();
  await expect(boxes.nth(2)).toBeChecked();
  let onCheck = false;
  for (let i = 0; i < 10 && !onCheck; i++) {
    await page.keyboard.press('Tab');
    onCheck = await question.locator('button', { hasText: 'Check' }).evaluate(b => b === document.activeElement);
  }
  expect(onCheck, 'Tab reaches Check').toBe(true);
  const ring = await question
    .locator('button', { hasText: 'Check' })
    .evaluate(b => ({ style: getComputedStyle(b).outlineStyle, width: parseFloat(getComputedStyle(b).outlineWidth) }));
  expect(ring.style).not.toBe('none');
  expect(ring.width).toBeGreaterThanOrEqual(2);
  await page.keyboard.press('Enter');
  await expect(question.locator('.dlm-live')).toContainText(/Correct|Partly right|Not yet/);
  await page.screenshot({ path: `${SHOTS}/keyboard-quiz.png` });

  // A single-choice question (boxes drawn as radios, so their labels can hold math): arrows
  // move and select within it, as in a radio group.
  const single = quiz.locator('.dlm-quiz-question').filter({ has: page.locator('.dlm-quiz-choose-one') }).first();
  const radios = single.locator('.dlm-quiz-choose-one input[type="checkbox"]');
  await radios.first().focus();
  await page.keyboard.press('Space');
  await expect(radios.first()).toBeChecked();
  await page.keyboard.press('ArrowDown');
  await expect(radios.nth(1)).toBeFocused();
  await expect(radios.nth(1)).toBeChecked();
  await expect(radios.first()).not.toBeChecked(); // one at a time
  await page.keyboard.press('ArrowUp');
  await expect(radios.first()).toBeChecked();
  await expect(radios.nth(1)).not.toBeChecked();
  const still = await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.content.activeCellIndex);
  expect(still).toEqual(before.active);
});
