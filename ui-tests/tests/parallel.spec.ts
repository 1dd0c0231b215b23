/**
 * %train_demo parallel in a real JupyterLab and kernel, light and dark, at 1024x768: two ranks
 * under torchrun train live; the dashboard's legend and curves and the sidebar's Runs card
 * show both ranks while they train; the run ends in its final picture with the lesson.
 * One quick run per theme (CI time).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { notebookOf } from './kernel';
import { lowContrast } from './legibility';

const SIDEBAR = 'dlmagics-sidebar';
const SHOTS = 'screenshots';
const CELLS = ['%load_ext dlmagics', '%train_demo parallel --quick'];
const DEMO = 1;

test.use({ viewport: { width: 1024, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

function output(page: IJupyterLabPageFixture, index: number): Locator {
  return page.locator('.jp-Notebook .jp-Cell').nth(index).locator('.jp-OutputArea');
}

for (const theme of ['light', 'dark']) {
  test(`${theme} theme: the parallel demo trains live on two ranks, both in the dashboard and the Runs`, async ({
    page
  }) => {
    test.setTimeout(3 * 60 * 1000);
    await notebookOf(page, `parallel-${theme}.ipynb`, CELLS, theme);
    await page.sidebar.openTab(SIDEBAR);
    await page.menu.clickMenuItem('Run>Run All Cells');

    // Live: both ranks' curves in the cell, both ranks in the sidebar's card.
    const dashboard = output(page, DEMO).locator('.dlm-dashboard');
    await expect(dashboard).toContainText('small net, rank 1', { timeout: 120000 });
    await expect(dashboard).toContainText('small net, rank 0');
    await expect(dashboard.locator('svg polyline').first()).toBeVisible();
    const sidebar = page.locator(`#${SIDEBAR}`);
    const card = sidebar.locator('.dlm-training[data-demo="parallel"]');
    const legend = card.locator('.dlm-training-legend');
    await expect(legend).toContainText('small net, rank 0', { timeout: 30000 });
    await expect(legend).toContainText('small net, rank 1');
    if ((await card.getAttribute('data-status')) === 'running') {
      await dashboard.evaluate(node => node.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: `${SHOTS}/parallel-${theme}-live.png` });
      await sidebar.screenshot({ path: `${SHOTS}/parallel-${theme}-sidebar-live.png` });
    }

    // The end: the final picture with every rank and the lesson's numbers, the card finished.
    const final = output(page, DEMO).locator('.dlm-demo-final');
    await expect(final).toBeVisible({ timeout: 120000 });
    await expect(card).toHaveAttribute('data-status', 'finished', { timeout: 30000 });
    await expect(final).toContainText('wide net, rank 1');
    await expect(final).toContainText(/two ranks [\d.]+x one process's samples\/s/);
    await expect(page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(0);
    await final.evaluate(node => node.scrollIntoView({ block: 'end' }));
    await page.screenshot({ path: `${SHOTS}/parallel-${theme}-final.png` });
    await sidebar.screenshot({ path: `${SHOTS}/parallel-${theme}-sidebar-final.png` });
    expect(await lowContrast(final), 'the final picture').toEqual([]);
  });
}
