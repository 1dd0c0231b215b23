/**
 * Issue 34: a %%gpubench run that shared the machine, in a real JupyterLab and kernel, light
 * and dark, at 1024x768: the report names the neighbour with its figure, and the sidebar's
 * Runs row marks the run with the kernel's words. The neighbour is a stand-in for psutil's
 * readings (another process using 1.7 cores), so the test does not depend on how busy the
 * machine running it is.
 */
import { expect, test } from '@jupyterlab/galata';
import { notebookOf } from './kernel';
import { lowContrast, toTheme } from './legibility';

const SIDEBAR = 'dlmagics-sidebar';
const SHOTS = 'screenshots';

// One line each (the editor indents what follows a def): each second on a fake clock, this
// process used 2 CPU seconds and the others 1.7.
const NEIGHBOUR = `import itertools
from dlmagics.bench import contention
ticks = itertools.count()
contention.read = lambda gpus: (lambda n: contention.Reading(float(n), 3.7 * n, 2.0 * n, {}, {}))(next(ticks))`;

const BENCH = `%%gpubench -d cpu --budget 0.2
x = torch.randn(64, 64, device=device)
# timed
y = x @ x`;

const CELLS = ['%load_ext dlmagics', NEIGHBOUR, BENCH];

test.use({ viewport: { width: 1024, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

// One run, read in the light theme and then the dark (toTheme).
test('light and dark theme: a run beside a busy process names it in the report and marks its Runs row', async ({ page }) => {
  test.setTimeout(3 * 60 * 1000);
  await notebookOf(page, 'benchbusy.ipynb', CELLS, 'light');
  await page.sidebar.openTab(SIDEBAR);
  await page.menu.clickMenuItem('Run>Run All Cells');

  const report = page.locator('.jp-Notebook .jp-Cell').nth(2).locator('.jp-OutputArea .dlm-bench-notes');
  const line = report.locator('li', { hasText: 'Other processes used 1.7 of the' });
  await expect(line).toHaveCount(1, { timeout: 90000 });
  await expect(line).toHaveText(
    /^Other processes used 1\.7 of the \d+ cores during the run: these times are not this cell's alone; run it again when they are done\.$/
  );

  const row = page.locator(`#${SIDEBAR} .dlm-runs .dlm-bench-row`).first();
  const mark = row.locator('.dlm-bench-crowded');
  await expect(mark).toHaveText(/^other processes used 1\.7 of the \d+ cores$/, { timeout: 30000 });
  await expect(mark).toHaveAttribute('title', /these times are not this cell's alone/);
  await mark.evaluate(node => node.scrollIntoView({ block: 'end' }));
  await expect(mark).toBeVisible();
  expect(await mark.evaluate(e => e.scrollWidth <= e.clientWidth + 1), 'the mark wraps to the sidebar').toBe(true);

  await expect(page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(0);
  for (const theme of ['light', 'dark']) {
    await toTheme(page, theme);
    await line.evaluate(node => node.scrollIntoView({ block: 'end' }));
    await page.screenshot({ path: `${SHOTS}/benchbusy-${theme}.png` });
    await page.locator(`#${SIDEBAR}`).screenshot({ path: `${SHOTS}/benchbusy-${theme}-sidebar.png` });
    expect(await lowContrast(mark), `the Runs row mark, ${theme}`).toEqual([]);
    expect(await lowContrast(line), `the report line, ${theme}`).toEqual([]);
  }
});
