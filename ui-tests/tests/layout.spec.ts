/**
 * The sidebar's layout and the quizzes' option labels at a learner's screen sizes, with the
 * DL Magics panel open: no option label of the quiz bank is cut, in the light and the dark
 * theme; the panel's sections never collapse to slivers, and a training's Stop stays whole.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { toTheme } from './legibility';

const SIDEBAR = 'dlmagics-sidebar';
const TIMELINE = 'dlmagics-timeline';
const SHOTS = 'screenshots';
/** A section is never made shorter than its content or this (labextension/layout.ts). */
const LEAST_PX = 120;

// kernels: null: Stop's interrupt would fail Galata's kernel tracking; the tests shut their
// kernels down themselves.
test.use({ kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

/** Run `source` in cell `index` (made or replaced), and wait for it to finish. */
async function runAt(page: IJupyterLabPageFixture, index: number, source: string) {
  if (index < (await page.notebook.getCellCount())) {
    await page.notebook.setCell(index, 'code', source);
  } else {
    await page.notebook.addCell('code', source);
  }
  await page.notebook.runCell(index, true);
}

const FRESH =
  "import os, tempfile; os.environ['DLMAGICS_QUIZ_STORE'] = tempfile.mkdtemp() + '/progress.jsonl'\n%load_ext dlmagics";

/** Each option label of the quizzes in cells `first`.. (one quiz each, in the order of `ids`), laid
 * out and measured: how many, and those cut. Each label is scrolled into view when measured. */
async function measureLabels(page: IJupyterLabPageFixture, first: number, ids: string[]) {
  let measured = 0;
  const cut: string[] = [];
  for (const [k, id] of ids.entries()) {
    const quiz = (await page.notebook.getCellOutputLocator(first + k))!.locator('.dlm-quiz');
    await expect(quiz).toBeVisible({ timeout: 30000 });
    const labels = quiz.locator('.dlm-quiz-question .widget-checkbox label.widget-label-basic');
    await expect(labels.first()).toBeVisible();
    for (const label of await labels.all()) {
      await label.scrollIntoViewIfNeeded();
      const m = await label.evaluate(node => {
        const box = node.querySelector('input')!.getBoundingClientRect();
        const span = node.querySelector('span')!;
        const top = node.getBoundingClientRect().top;
        return {
          text: span.textContent ?? '',
          shown: node.clientWidth > 0 && span.getBoundingClientRect().width > 0,
          // (an inline span has no clientWidth: then the label's own widths tell)
          cut: node.scrollWidth > node.clientWidth || (span.clientWidth > 0 && span.scrollWidth > span.clientWidth),
          // the box sits by the first line (20 px): its middle within it
          boxByFirstLine: (box.top + box.bottom) / 2 - top < 20,
          lines: Math.round(span.getBoundingClientRect().height / 20)
        };
      });
      expect(m.shown, `${id}: "${m.text}" is laid out`).toBe(true);
      expect(m.boxByFirstLine, `${id}: the box of "${m.text}" is by its first line`).toBe(true);
      if (m.cut) {
        cut.push(`${id}: ${m.text}`);
      }
      measured++;
    }
  }
  return { measured, cut };
}

// The quizzes run once and are measured in the light theme, then in the dark (toTheme).
test('light and dark theme, 1024x768, sidebar open: every option label of the bank wraps whole, its box by its first line', async ({
  page
}) => {
  test.setTimeout(5 * 60 * 1000);
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.notebook.createNew('labels.ipynb');
  await page.sidebar.openTab(SIDEBAR);
  await runAt(page, 0, FRESH);
  await runAt(page, 1, 'import json; from dlmagics.quiz import catalog; print(json.dumps(sorted(catalog.bank())))');
  const ids: string[] = JSON.parse((await page.notebook.getCellTextOutput(1))!.join(''));
  expect(ids.length).toBeGreaterThanOrEqual(7);
  for (const [k, id] of ids.entries()) {
    await runAt(page, 2 + k, `%dlquiz ${id}`); // a cell per quiz
  }
  for (const theme of ['light', 'dark']) {
    await toTheme(page, theme);
    const { measured, cut } = await measureLabels(page, 2, ids);
    // (Single-line, 16 of these labels were cut at this size: the test reproduces issue 35.)
    expect(measured, `option labels measured, ${theme}`).toBeGreaterThan(100);
    expect(cut, `option labels cut, ${theme}`).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/${theme}-quiz-labels-1024x768.png` });
  }
});

/** Each open section of the DL Magics panel: its height, and the height its content wants. */
async function sectionHeights(page: IJupyterLabPageFixture) {
  return page.locator(`#${SIDEBAR} .dlm-section`).evaluateAll(nodes =>
    nodes
      .filter(n => (n as HTMLElement).offsetParent !== null)
      .map(n => ({ title: n.firstElementChild?.className ?? '', height: n.clientHeight, content: n.scrollHeight }))
  );
}

/** Whether `inner` lies whole inside `outer`'s visible box. */
async function inside(inner: Locator, outer: Locator): Promise<boolean> {
  const [a, b] = [await inner.boundingBox(), await outer.boundingBox()];
  return !!a && !!b && a.height > 0 && a.y >= b.y - 0.5 && a.y + a.height <= b.y + b.height + 0.5;
}

/** Every open section at least its least height; the training's title, Stop and step, and
 * each quiz row, whole in view. */
async function checkSections(page: IJupyterLabPageFixture, when: string) {
  for (const s of await sectionHeights(page)) {
    expect(s.height + 1, `${when}: ${s.title} is ${s.height} px for ${s.content} px of content`).toBeGreaterThanOrEqual(
      Math.min(s.content, LEAST_PX)
    );
  }
  const runs = page.locator(`#${SIDEBAR} .dlm-section:has(.dlm-runs)`);
  if (await runs.isVisible()) {
    const training = runs.locator('.dlm-training');
    expect(await inside(training.getByRole('button', { name: 'Stop' }), runs), `${when}: Stop whole`).toBe(true);
    expect(await inside(training.locator('.dlm-training-step'), runs), `${when}: the step line whole`).toBe(true);
  }
  const quizzes = page.locator(`#${SIDEBAR} .dlm-section:has(.dlm-quizzes)`);
  if (await quizzes.isVisible()) {
    for (const row of await quizzes.locator('.dlm-quiz-row').all()) {
      expect(await inside(row, quizzes), `${when}: quiz row ${await row.getAttribute('data-quiz')} whole`).toBe(true);
    }
  }
}

for (const [width, height] of [
  [1366, 768],
  [1024, 768]
]) {
  test(`${width}x${height}: while a demo trains, sections keep their least height through collapse and reopen, Stop stays whole`, async ({
    page
  }) => {
    test.setTimeout(4 * 60 * 1000);
    await page.setViewportSize({ width, height });
    await page.notebook.createNew(`sections-${width}.ipynb`);
    await page.sidebar.openTab(SIDEBAR);
    await runAt(page, 0, FRESH);
    await runAt(page, 1, '%dlquiz why-now');
    await runAt(page, 2, '%dlquiz tricks');
    const sidebar = page.locator(`#${SIDEBAR}`);
    await expect(sidebar.locator('.dlm-quiz-row')).toHaveCount(2, { timeout: 30000 });
    await runAt(page, 3, 'run = %train_demo optimizers --epochs 300');
    const training = sidebar.locator('.dlm-training');
    await expect(training).toHaveAttribute('data-status', 'running', { timeout: 30000 });
    await expect(training.locator('.dlm-training-step')).toContainText(/step [\d,]+ of [\d,]+, about [\d.]+ (s|min) left/, { timeout: 30000 });
    await expect(training.locator('.dlm-sparkline')).toBeVisible({ timeout: 30000 });

    await checkSections(page, 'the default layout');
    await sidebar.screenshot({ path: `${SHOTS}/sidebar-sections-${width}x${height}.png` });

    const titles = sidebar.locator('.lm-AccordionPanel-title');
    const runs = sidebar.locator('.dlm-section:has(.dlm-runs)');
    for (let i = 0; i < 3; i++) {
      const title = titles.nth(i);
      const name = await title.textContent();
      const runsBefore = (await runs.boundingBox())!.height;
      await title.click();
      await expect(title).toHaveAttribute('aria-expanded', 'false');
      await expect.poll(async () => (await sectionHeights(page)).length).toBe(2);
      await checkSections(page, `${name} collapsed`);
      if (i < 2) {
        // Its room goes to the sections below it that want it: the Runs first.
        expect((await runs.boundingBox())!.height, `${name} collapsed: the Runs grow`).toBeGreaterThan(runsBefore);
      }
      await title.click();
      await expect(title).toHaveAttribute('aria-expanded', 'true');
      await expect.poll(async () => (await sectionHeights(page)).length).toBe(3);
      await checkSections(page, `${name} reopened`);
    }
    // Several collapsed and reopened in turn, as the learner did.
    for (const order of [
      [0, 1, 2],
      [2, 0, 1]
    ]) {
      for (const i of order) {
        await titles.nth(i).click();
      }
      for (const i of order.slice().reverse()) {
        await titles.nth(i).click();
      }
      await expect.poll(async () => (await sectionHeights(page)).length).toBe(3);
      await checkSections(page, `reopened in the order ${order}`);
    }
    await sidebar.screenshot({ path: `${SHOTS}/sidebar-sections-reopened-${width}x${height}.png` });

    // The DL Magics panel holds three sections; the Timeline is its own panel, the whole
    // height, its events in a list that scrolls.
    await expect(titles).toHaveText([/GPU/i, /Quizzes/i, /Runs/i]);
    await expect(page.locator(`#${SIDEBAR} .dlm-timeline`)).toHaveCount(0);
    await page.sidebar.openTab(TIMELINE);
    const timeline = page.locator(`#${TIMELINE} .dlm-timeline`);
    await expect(timeline.locator('.dlm-event').first()).toBeVisible();
    const panel = (await page.locator(`#${TIMELINE}`).boundingBox())!;
    expect(panel.height).toBeGreaterThan(height / 2);
    await page.locator(`#${TIMELINE}`).screenshot({ path: `${SHOTS}/timeline-panel-${width}x${height}.png` });

    await page.sidebar.openTab(SIDEBAR);
    await training.getByRole('button', { name: 'Stop' }).click();
    await expect(training).toHaveAttribute('data-status', 'stopped', { timeout: 30000 });
  });
}
