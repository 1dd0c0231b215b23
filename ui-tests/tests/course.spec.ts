/**
 * The course as a learner takes it: each notebook (01-07) opened in JupyterLab at 1366x768,
 * Run All, then read as the learner sees it. No cell shows an error, every %train_demo cell
 * ends with its final picture and lesson line, every quiz is on the page. Live demos train in
 * the background here (a person's frontend), so this is where "the next cell waits" and
 * "the same cell reads the finished run" are tried for real.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const EXAMPLES = path.resolve(__dirname, '../../examples');
const SHOTS = 'screenshots';
const SIDEBAR = 'dlmagics-sidebar';
const COURSE = fs
  .readdirSync(EXAMPLES)
  .filter(name => /^0[1-7]_.*\.ipynb$/.test(name))
  .sort();

const DEMO = /^\s*(?:\w+\s*=\s*)?%train_demo\s+(?!--list)\w/m;
const QUIZ = /^\s*%dlquiz\s+[\w-]+/m;
const QUICK_SIZES: Record<string, Record<string, string>> = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../tests/quick_sizes.json'), 'utf-8')
);

/** The notebook's JSON with its code cells' sizes replaced by the test sizes (each found once:
 * tests/test_notebooks.py checks it). */
function atQuickSize(content: string, name: string): string {
  const nb = JSON.parse(content);
  const source = (cell: any): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
  for (const [old, quick] of Object.entries(QUICK_SIZES[name] ?? {})) {
    const cell = nb.cells.find((c: any) => c.cell_type === 'code' && source(c).includes(old));
    if (!cell) {
      throw new Error(`quick_sizes.json: ${JSON.stringify(old)} is not in ${name}`);
    }
    cell.source = source(cell).replace(old, quick);
  }
  return JSON.stringify(nb);
}

test.use({ viewport: { width: 1366, height: 768 } });

/** Where Run All stands, read from the notebook's model: done once every code cell ran (or
 * one failed: Run All stops there), the kernel is idle and no demo is still training. */
async function runState(page: IJupyterLabPageFixture) {
  return page.evaluate(
    ([demo]) => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      const cells = panel.content.model.toJSON().cells as any[];
      const code = cells.map((c, i) => ({ ...c, index: i })).filter(c => c.cell_type === 'code');
      const errors = code
        .flatMap(c => c.outputs.filter((o: any) => o.output_type === 'error').map((o: any) => `cell ${c.index}: ${o.ename}: ${o.evalue}`));
      const training = code.filter(
        c =>
          new RegExp(demo, 'm').test(c.source) &&
          !c.outputs.some((o: any) => o.data && 'image/png' in o.data)
      );
      const ran = code.every(c => c.execution_count !== null);
      const idle = panel.sessionContext.session?.kernel?.status === 'idle';
      return { done: idle && (errors.length > 0 || (ran && training.length === 0)), errors };
    },
    [DEMO.source]
  );
}

async function cellsMatching(page: IJupyterLabPageFixture, pattern: RegExp): Promise<number[]> {
  return page.evaluate(
    source =>
      ((window as any).jupyterapp.shell.currentWidget.content.model.toJSON().cells as any[])
        .map((c, i) => (c.cell_type === 'code' && new RegExp(source, 'm').test(c.source) ? i : -1))
        .filter(i => i >= 0),
    pattern.source
  );
}

async function runAll(page: IJupyterLabPageFixture, tmpPath: string, name: string) {
  const content = atQuickSize(fs.readFileSync(path.join(EXAMPLES, name), 'utf-8'), name);
  await page.contents.uploadContent(content, 'text', `${tmpPath}/${name}`);
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 60000 });
  await page.menu.clickMenuItem('Run>Run All Cells');
}

for (const name of COURSE) {
  test(`${name}: Run All works as the learner sees it`, async ({ page, tmpPath }) => {
    test.setTimeout(8 * 60 * 1000);
    await runAll(page, tmpPath, name);

    if (name.startsWith('07')) {
      // A demo mid-run: the dashboard with its controls, while the next cells wait.
      const slider = page.locator('.jp-Notebook .widget-slider').first();
      await slider.waitFor({ timeout: 120000 });
      await slider.scrollIntoViewIfNeeded();
      // Curves on the screen if the run is still going (a short demo may finish first: no matter).
      await page
        .locator('.jp-Notebook .widget-html', { hasText: /training: step/ })
        .first()
        .waitFor({ timeout: 10000 })
        .catch(() => undefined);
      await page.screenshot({ path: `${SHOTS}/course-demo-mid-run.png` });
    }

    await expect.poll(async () => (await runState(page)).done, { timeout: 7 * 60 * 1000, intervals: [2000] }).toBe(true);
    expect((await runState(page)).errors).toEqual([]);

    for (const index of await cellsMatching(page, DEMO)) {
      const cell = await page.notebook.getCellLocator(index);
      await cell!.scrollIntoViewIfNeeded();
      const output = cell!.locator('.jp-OutputArea');
      await expect(output.locator('.dlm-demo-final svg').first(), `the final picture of cell ${index}`).toBeVisible();
      await expect(output, `the lesson line of cell ${index}`).toContainText(/Lesson (shown|not shown)/);
      await expect(output, `cell ${index} has no stale line under its picture`).not.toContainText('<%train_demo');
    }
    for (const index of await cellsMatching(page, QUIZ)) {
      const cell = await page.notebook.getCellLocator(index);
      await cell!.scrollIntoViewIfNeeded();
      await expect(cell!.locator('.dlm-quiz').first(), `the quiz of cell ${index}`).toBeVisible({ timeout: 30000 });
    }

    if (name.startsWith('07')) {
      const first = (await cellsMatching(page, DEMO))[0];
      const cell = await page.notebook.getCellLocator(first);
      await cell!.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/course-demo-finished.png` });
    }
    if (name.startsWith('02')) {
      // The sidebar at a learner's 1366x768: the GPU card whole, without scrolling.
      await page.sidebar.openTab(SIDEBAR);
      const gpu = page.locator(`#${SIDEBAR} .dlm-section`).first();
      await expect(gpu).toBeVisible();
      const fits = await gpu.evaluate(node => node.scrollHeight <= node.clientHeight + 1);
      await page.screenshot({ path: `${SHOTS}/course-sidebar-1366x768.png` });
      expect(fits, 'the GPU section shows its whole card').toBe(true);
      // A section collapses at a click on its title, and comes back.
      const title = page.locator(`#${SIDEBAR} .lm-AccordionPanel-title`, { hasText: 'Quizzes' });
      const quizzes = page.locator(`#${SIDEBAR} .dlm-section`).nth(1);
      await title.click();
      await expect(quizzes).toBeHidden();
      await title.click();
      await expect(quizzes).toBeVisible();
    }
  });
}
