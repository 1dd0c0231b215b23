/**
 * A %%ddp cell in a real JupyterLab and kernel, light and dark, at 1024x768: while its two
 * ranks run (a loop of minutes), the sidebar's Runs has its row with both ranks and their steps; the row's
 * Stop interrupts the kernel, which ends every rank: the row is marked stopped, the cell keeps
 * what the ranks printed and its report, the kernel runs the next cell, and no rank is left; the
 * cell run again has a Stop of its own.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { notebookOf } from './kernel';
import { lowContrast } from './legibility';

const SIDEBAR = 'dlmagics-sidebar';
const SHOTS = 'screenshots';
// Each rank leaves its pid in the notebook's folder (the ranks' working folder), for the check after.
const LOOP = [
  '%%ddp -n 2 --threads 1',
  'import os, time',
  "open(f'ddp-rank{rank}.pid', 'w').write(str(os.getpid()))",
  "print('ready', flush=True)",
  'for i in range(600):',
  '    time.sleep(0.5)',
  '    step()'
].join('\n');
const CHECK = [
  'import psutil',
  "pids = [int(open(f'ddp-rank{r}.pid').read()) for r in (0, 1)]",
  'alive = [p for p in pids if psutil.pid_exists(p)',
  "         and psutil.Process(p).status() != 'zombie']",
  'children = psutil.Process().children(recursive=True)',
  "print('ranks left:', len(alive), '; children left:', len(children))"
].join('\n');
const CELLS = ['%load_ext dlmagics', LOOP];

test.use({ viewport: { width: 1024, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

function output(page: IJupyterLabPageFixture, index: number): Locator {
  return page.locator('.jp-Notebook .jp-Cell').nth(index).locator('.jp-OutputArea');
}

for (const theme of ['light', 'dark']) {
  test(`${theme} theme: a %%ddp cell has its row in the Runs, and its Stop ends every rank`, async ({ page }) => {
    test.setTimeout(4 * 60 * 1000);
    await notebookOf(page, `ddpstop-${theme}.ipynb`, CELLS, theme);
    await page.sidebar.openTab(SIDEBAR);
    await page.menu.clickMenuItem('Run>Run All Cells');

    // Running: both ranks print in the cell; the row shows both ranks and a Stop that says what it does.
    const cell = output(page, 1);
    await expect(cell).toContainText('[rank 0] ready', { timeout: 120000 });
    await expect(cell).toContainText('[rank 1] ready', { timeout: 30000 });
    const sidebar = page.locator(`#${SIDEBAR}`);
    const row = sidebar.locator('.dlm-training[data-demo="%%ddp"]');
    await expect(row).toHaveAttribute('data-status', 'running', { timeout: 30000 });
    await expect(row.locator('b')).toHaveText('%%ddp -n 2 --threads 1');
    await expect(row.locator('.dlm-training-legend')).toHaveText(/rank 0\s*rank 1/);
    // the steps both ranks marked with step(), as they come (about once a second)
    await expect(row.locator('.dlm-training-step')).toContainText(/^running: 2 ranks, step \d+, \d+ s$/, {
      timeout: 30000
    });
    const stop = row.getByRole('button', { name: 'Stop' });
    await expect(stop).toHaveAttribute('title', 'Stop: interrupts the kernel, ending every rank');
    await page.screenshot({ path: `${SHOTS}/ddpstop-${theme}-running.png` });
    await sidebar.screenshot({ path: `${SHOTS}/ddpstop-${theme}-sidebar-running.png` });
    expect(await lowContrast(row), 'the running row').toEqual([]);

    // Stop: the kernel is interrupted, every rank ended, the row stopped, the output kept.
    await stop.click();
    await expect(row).toHaveAttribute('data-status', 'stopped', { timeout: 60000 });
    await expect(row.locator('.dlm-training-step')).toContainText(
      /^stopped after [\d.]+ s at step \d+: the kernel was interrupted and all 2 ranks were ended$/
    );
    await expect(stop).toHaveCount(0);
    await expect(cell).toContainText('[rank 0] ready');
    await expect(cell).toContainText(/%%ddp: 2 ranks, gloo, 1 thread each: interrupted in/, { timeout: 30000 });
    await expect(cell).toContainText("the kernel was interrupted (its stop button, I I or the sidebar's Stop)");
    await expect(page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')).toHaveCount(0);

    // The kernel is alive and runs the next cell; no rank, no process of the run is left.
    await page.notebook.addCell('code', CHECK);
    await page.notebook.runCell(2);
    await expect(output(page, 2)).toContainText('ranks left: 0 ; children left: 0', { timeout: 60000 });
    await page.screenshot({ path: `${SHOTS}/ddpstop-${theme}-stopped.png` });
    await sidebar.screenshot({ path: `${SHOTS}/ddpstop-${theme}-sidebar-stopped.png` });
    expect(await lowContrast(row), 'the stopped row').toEqual([]);

    // The same cell run again has its own Stop (not the last run's 'Stopping…'), and it stops it.
    await page.menu.clickMenuItem('Run>Run All Cells');
    await expect(row).toHaveAttribute('data-status', 'running', { timeout: 120000 });
    await expect(stop).toHaveText('Stop');
    await expect(stop).toBeEnabled();
    await stop.click();
    await expect(row).toHaveAttribute('data-status', 'stopped', { timeout: 60000 });
  });
}
