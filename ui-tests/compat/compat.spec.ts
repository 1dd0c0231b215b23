/**
 * One JupyterLab or Notebook version (scripts/compat.sh starts its server): a notebook that
 * ran `%load_ext dlmagics` gets the sidebar, connected to its kernel, and the answers the kernel
 * sends are written into its answer cell (issue 31). Plain Playwright: Galata
 * matches one JupyterLab version only.
 */
import { expect, test } from '@playwright/test';

const BASE = process.env.COMPAT_URL ?? 'http://localhost:8899';
const FLAVOUR = process.env.COMPAT_FLAVOUR ?? 'lab';
const NAME = process.env.COMPAT_NAME ?? FLAVOUR;

test(`${NAME}: the sidebar appears and connects to the kernel; a quiz's answers reach the answer cell`, async ({ page }) => {
  const errors: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error' && /dlmagics/i.test(message.text())) {
      errors.push(message.text());
    }
  });
  await page.goto(`${BASE}/${FLAVOUR === 'lab' ? 'lab/tree' : 'notebooks'}/compat.ipynb`);
  const cell = page.locator('.jp-Notebook .jp-Cell').first();
  await cell.waitFor({ timeout: 60000 });
  // Run the cell once its kernel is there (the notebook names it in its metadata).
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const app = (window as any).jupyterapp;
          const widget = app?.shell?.currentWidget;
          return widget?.sessionContext?.session?.kernel?.status ?? 'none';
        }),
      { timeout: 60000 }
    )
    .toBe('idle');
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('notebook:run-all-cells'));
  await expect(cell.locator('.jp-InputPrompt')).toContainText('[1]', { timeout: 60000 });

  await page.evaluate(() => (window as any).jupyterapp.shell.activateById('dlmagics-sidebar'));
  const gpu = page.locator('#dlmagics-sidebar .dlm-gpu');
  await expect(gpu).toBeVisible({ timeout: 30000 });
  await expect(gpu).toHaveAttribute('data-status', 'connected', { timeout: 30000 });
  await expect(gpu.locator('.dlm-callout')).toContainText('CPU only');
  // The Timeline is its own left panel.
  await page.evaluate(() => (window as any).jupyterapp.shell.activateById('dlmagics-timeline'));
  await expect(page.locator('#dlmagics-timeline .dlm-timeline-summary')).toContainText('events', { timeout: 30000 });
  // A quiz's answers, sent by the kernel as after a Check, are written into the notebook's
  // answer cell (a notebook converted for nbgrader).
  await page.evaluate(async () => {
    const code = [
      'from dlmagics.protocol import quiz_answers_message',
      'from dlmagics.quiz import catalog',
      'from dlmagics.quiz.sheet import answer_cell_source',
      'get_ipython().magics_manager.registry["DLMagics"].session.publish(',
      '    quiz_answers_message("why-now", None, answer_cell_source(catalog.bank()["why-now"], {"reduction": "36.4"})))'
    ].join('\n');
    const kernel = (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    await kernel.requestExecute({ code }).done;
  });
  const answerCell = () =>
    page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.content.model.cells.get(1).sharedModel.getSource());
  await expect.poll(answerCell, { timeout: 15000 }).toContain('"reduction": "36.4"');
  await page.screenshot({ path: `screenshots/compat-${NAME}.png` });
  expect(errors).toEqual([]);
});
