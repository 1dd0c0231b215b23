/**
 * %dldata in a real JupyterLab and kernel, light and dark, at 1024x768: a folder the kernel
 * writes (three classes in train/ and test/, RGB, RGBA and grey PNGs, a damaged file, a
 * .ipynb_checkpoints folder, a test image copied from train) gets its report: the classes
 * with thumbnails, the warnings in the warning colour, every line legible and inside the cell.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { notebookOf } from './kernel';
import { lowContrast, toTheme } from './legibility';

const SHOTS = 'screenshots';

// One statement a line, none indented: the editor indents typed lines itself.
const MAKE = `import pathlib, shutil, tempfile
import numpy as np
from PIL import Image
root = pathlib.Path(tempfile.mkdtemp()) / "pets"
rng = np.random.default_rng(0)
plan = [(s, c, m, i) for s, n in (("train", 6), ("test", 2)) for c, m in (("cat", "RGB"), ("dog", "RGBA"), ("owl", "L")) for i in range(n if c != "owl" else n // 2)]
_ = [(root / s / c).mkdir(parents=True, exist_ok=True) for s, c, m, i in plan]
_ = [Image.fromarray(rng.integers(0, 256, (16, 16) if m == "L" else (16, 16, len(m)), dtype=np.uint8), m).save(root / s / c / f"{i}.png") for s, c, m, i in plan]
(root / "train" / "cat" / "broken.png").write_bytes(b"\\x89PNG\\r\\n\\x1a\\nnot really")
(root / "train" / ".ipynb_checkpoints").mkdir()
shutil.copy(root / "train" / "cat" / "0.png", root / "test" / "cat" / "copy.png")
PETS = str(root)`;

const CELLS = ['%load_ext dlmagics', MAKE, '%dldata {PETS}'];
const REPORT = 2;

test.use({ viewport: { width: 1024, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

function output(page: IJupyterLabPageFixture, index: number): Locator {
  return page.locator('.jp-Notebook .jp-Cell').nth(index).locator('.jp-OutputArea');
}

// One run, read in the light theme and then the dark (toTheme).
test('light and dark theme: the data report shows classes with thumbnails and its warnings, legible', async ({ page }) => {
  test.setTimeout(3 * 60 * 1000);
  await notebookOf(page, 'data.ipynb', CELLS, 'light');
  await page.menu.clickMenuItem('Run>Run All Cells');

  const report = output(page, REPORT).locator('.dlm-data-report');
  await expect(report).toBeVisible({ timeout: 120000 });
  await expect(report).toContainText('image folder, 21 images in 3 classes (train 15, test 6)');
  await expect(report.locator('tbody tr')).toHaveCount(3); // .ipynb_checkpoints is no class
  await expect(report.locator('tbody tr').first()).toContainText('cat');
  await expect(report.locator('img')).toHaveCount(12); // 4 thumbnails of each class
  for (const what of ['imbalance', 'unused', 'hidden', 'duplicates', 'normalize', 'modes']) {
    await expect(report.locator(`li[data-what="${what}"]`)).toBeVisible();
  }
  await expect(report.locator('li[data-what="duplicates"]')).toContainText('test/cat/copy.png = train/cat/0.png');
  // Nothing spills out of the cell at 1024 wide.
  const spill = await report.evaluate(node => node.scrollWidth - node.clientWidth);
  expect(spill, 'the report fits the cell across').toBeLessThanOrEqual(1);
  await expect(page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(0);

  for (const theme of ['light', 'dark']) {
    await toTheme(page, theme);
    await report.evaluate(node => node.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${SHOTS}/data-${theme}.png` });
    expect(await lowContrast(report), `the data report, ${theme}`).toEqual([]);
  }
});
