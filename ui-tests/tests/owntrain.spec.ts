/**
 * %%train over a learner's own loop, in a real JupyterLab and kernel, light and dark, at
 * 1024x768: the loop (optimizer.zero_grad() left out) trains live; the doctor's finding shows
 * by the dashboard's curves and in the sidebar's Runs card; the sidebar's Stop ends it and
 * the cell keeps the final picture with the finding.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { notebookOf } from './kernel';
import { lowContrast, toTheme } from './legibility';

const SIDEBAR = 'dlmagics-sidebar';
const SHOTS = 'screenshots';
const FINDING = 'missing_zero_grad';

const DATA = `import torch
from torch import nn
from dlmagics.train.data import digits
d = digits()
X_train, y_train = d.x_train.flatten(1), d.y_train`;

// Epochs enough that it still trains when the test stops it, on any machine. The planted bug
// shows at the fourth step; the piled-up gradients make the loss explode much later (another
// finding, when a fast machine gets there first), so the test looks for this one finding.
const LOOP = `%%train
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(100_000):
    for i in range(0, len(X_train), 32):
        xb, yb = X_train[i:i + 32], y_train[i:i + 32]
        loss = loss_fn(model(xb), yb)  # the bug: no optimizer.zero_grad() before it
        loss.backward()
        optimizer.step()`;

const CELLS = ['%load_ext dlmagics', DATA, LOOP];
const TRAIN = 2;

// kernels: null, as in themes.spec.ts: the tests shut their kernels down themselves.
test.use({ viewport: { width: 1024, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

function output(page: IJupyterLabPageFixture, index: number): Locator {
  return page.locator('.jp-Notebook .jp-Cell').nth(index).locator('.jp-OutputArea');
}

/** Whether the element's text fits its box across (wrapped, not cut or spilling over). */
async function fitsAcross(element: Locator): Promise<boolean> {
  return element.evaluate(e => e.scrollWidth <= e.clientWidth + 1);
}

// One run, read in both themes (toTheme) while it trains and once it stopped.
test("light and dark theme: a learner's loop trains live, the doctor's finding by the curves and in the sidebar; Stop keeps it", async ({
  page
}) => {
  test.setTimeout(5 * 60 * 1000);
  await notebookOf(page, 'owntrain.ipynb', CELLS, 'light');
  await page.sidebar.openTab(SIDEBAR);
  await page.menu.clickMenuItem('Run>Run All Cells');

  // Live: the curves, where the run stands, and the finding next to the curves.
  const dashboard = output(page, TRAIN).locator('.dlm-dashboard');
  await expect(dashboard.locator('svg polyline').first()).toBeVisible({ timeout: 120000 });
  await expect(dashboard).toContainText('training: epoch', { timeout: 30000 });
  const finding = dashboard.locator(`.dlm-doctor [data-key="${FINDING}"]`);
  await expect(finding).toBeVisible({ timeout: 60000 });
  await expect(finding).toContainText('zero_grad() is never called');

  // The sidebar's Runs card: the run, its finding (the kernel's line, wrapped) and Stop.
  const sidebar = page.locator(`#${SIDEBAR}`);
  const card = sidebar.locator('.dlm-training[data-demo="%%train"]');
  await expect(card).toHaveAttribute('data-status', 'running', { timeout: 30000 });
  await expect(card.locator('b')).toHaveText('Your training of model');
  await expect(card.locator('.dlm-training-head')).not.toContainText('()'); // no year for a learner's own run
  const line = card.locator('.dlm-training-findings li', { hasText: 'zero_grad() is never called' });
  await expect(line).toHaveCount(1, { timeout: 30000 });
  await line.evaluate(node => node.scrollIntoView({ block: 'end' }));
  await expect(line).toBeVisible();
  expect(await fitsAcross(line), 'the finding wraps to the sidebar').toBe(true);
  const stop = card.locator('.dlm-training-stop');
  await expect(stop).toBeVisible();

  for (const theme of ['light', 'dark']) {
    await toTheme(page, theme);
    await dashboard.evaluate(node => node.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${SHOTS}/owntrain-${theme}-live.png` });
    await sidebar.screenshot({ path: `${SHOTS}/owntrain-${theme}-sidebar-live.png` });
    await finding.evaluate(node => node.scrollIntoView({ block: 'end' })); // under the curves
    await page.screenshot({ path: `${SHOTS}/owntrain-${theme}-live-finding.png` });
    expect(await lowContrast(line), `the sidebar's finding, ${theme}`).toEqual([]);
    expect(await lowContrast(dashboard.locator('.dlm-doctor')), `the finding in the cell, ${theme}`).toEqual([]);
  }

  // The sidebar's Stop: the cell becomes the final picture, stopped, with the finding kept.
  await stop.click();
  const final = output(page, TRAIN).locator('.dlm-train-final');
  await expect(final).toBeVisible({ timeout: 60000 });
  await expect(card).toHaveAttribute('data-status', 'stopped', { timeout: 30000 });
  await expect(final).toContainText(/%%train of model: stopped after [\d,]+ batches/);
  await expect(final.locator(`.dlm-doctor [data-key="${FINDING}"]`)).toBeVisible();
  await expect(final.locator('svg polyline').first()).toBeVisible();
  await expect(card.locator('.dlm-training-stop')).toHaveCount(0);
  await expect(line).toHaveCount(1); // the finding kept
  await expect(page.locator('.dlm-dashboard')).toHaveCount(0);

  // No cell shows an error (or anything on stderr).
  await expect(page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(0);

  for (const theme of ['dark', 'light']) {
    await toTheme(page, theme);
    await final.evaluate(node => node.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${SHOTS}/owntrain-${theme}-final.png` });
    await final.evaluate(node => node.scrollIntoView({ block: 'end' })); // the finding and the summary
    await page.screenshot({ path: `${SHOTS}/owntrain-${theme}-final-summary.png` });
    await sidebar.screenshot({ path: `${SHOTS}/owntrain-${theme}-sidebar-final.png` });
    expect(await lowContrast(final), `the final picture, ${theme}`).toEqual([]);
  }
});
