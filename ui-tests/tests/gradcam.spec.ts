/**
 * Grad-CAM where the learner meets it, light and dark, at 1024x768: the final picture of a
 * CNN trained under %%train, dlmagics.gradcam's own view (image, class, runner-up, contrast,
 * the sanity check's verdict), and the cnn and transfer demos' panels at the end of their runs
 * (transfer's on a frozen backbone).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { notebookOf } from './kernel';
import { lowContrast, toTheme } from './legibility';

const SHOTS = 'screenshots';

const DATA = `import torch, dlmagics
from torch import nn
from torch.nn import functional as F
from dlmagics.train.data import digits
d = digits()
torch.manual_seed(0)
cnn = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
optimizer = torch.optim.Adam(cnn.parameters(), lr=1e-2)`;

const LOOP = `%%train
for epoch in range(3):
    for i in range(0, len(d.x_train), 32):
        optimizer.zero_grad()
        F.cross_entropy(cnn(d.x_train[i:i + 32]), d.y_train[i:i + 32]).backward()
        optimizer.step()`;

const CAM = 'dlmagics.gradcam(cnn, d.x_test[:3])';
const DEMO = '%train_demo cnn --epochs 2 --no-live';
const TRANSFER = '%train_demo transfer --quick --epochs 4 --no-live';

const CELLS = ['%load_ext dlmagics', DATA, LOOP, CAM, DEMO, TRANSFER];
const [TRAIN, VIEW, PANEL, FROZEN] = [2, 3, 4, 5];

// kernels: null, as in themes.spec.ts: the tests shut their kernels down themselves.
test.use({ viewport: { width: 1024, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

function output(page: IJupyterLabPageFixture, index: number): Locator {
  return page.locator('.jp-Notebook .jp-Cell').nth(index).locator('.jp-OutputArea');
}

async function shot(page: IJupyterLabPageFixture, element: Locator, file: string) {
  await element.evaluate(node => node.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: `${SHOTS}/${file}` });
}

/** Each Grad-CAM panel on the page, legible in the current theme; screenshots named by it. The
 * first call waits for the run. */
async function checkPanels(page: IJupyterLabPageFixture, theme: string) {
  const train = output(page, TRAIN);
  await expect(train).toContainText('Grad-CAM of the last images: where the model looks', { timeout: 180000 });
  const trainPanel = train.locator('figure', { hasText: 'Grad-CAM of the last images' });
  await expect(trainPanel.locator('svg image')).toHaveCount(1); // the picture, its columns labelled
  await shot(page, trainPanel, `${theme}-gradcam-train.png`);

  const view = output(page, VIEW).locator('.dlm-gradcam');
  await expect(view).toBeVisible({ timeout: 60000 });
  await expect(view).toContainText(/sanity check (passed|failed)/);
  await expect(view.locator('img')).toHaveCount(12); // 3 images x (image, class, runner-up, contrast)
  expect(await lowContrast(view), `the Grad-CAM view, ${theme}`).toEqual([]);
  await shot(page, view, `${theme}-gradcam-view.png`);

  const panel = output(page, PANEL);
  await expect(panel).toContainText('Grad-CAM of the CNN: where it looks', { timeout: 180000 });
  await expect(panel).toContainText('sanity check');
  await shot(page, panel.locator('figure', { hasText: 'Grad-CAM of the CNN' }), `${theme}-gradcam-demo.png`);
  expect(await lowContrast(panel), `the cnn demo with its Grad-CAM panel, ${theme}`).toEqual([]);

  const frozen = output(page, FROZEN);
  await expect(frozen).toContainText('Grad-CAM of the frozen conv: where it looks', { timeout: 180000 });
  await expect(frozen).toContainText('sanity check');
  await shot(page, frozen.locator('figure', { hasText: 'Grad-CAM of the frozen conv' }), `${theme}-gradcam-transfer.png`);
  expect(await lowContrast(frozen), `the transfer demo with its Grad-CAM panel, ${theme}`).toEqual([]);
}

// One run, read in the light theme and then the dark (toTheme): the run is the slow part.
test("light and dark theme: Grad-CAM in %%train's final picture, in its own view and in the cnn and transfer demos", async ({
  page
}) => {
  test.setTimeout(5 * 60 * 1000);
  await notebookOf(page, 'gradcam.ipynb', CELLS, 'light');
  await page.menu.clickMenuItem('Run>Run All Cells');
  await checkPanels(page, 'light');
  await toTheme(page, 'dark');
  await checkPanels(page, 'dark');
});
