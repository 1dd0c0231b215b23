/**
 * A notebook exported with `jupyter nbconvert --to html --execute` and opened offline in
 * Chromium: the quiz's questions are readable text (the widget itself cannot load without the
 * network), and no answer is marked.
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const NOTEBOOK = {
  cells: [
    { cell_type: 'code', execution_count: null, id: 'load', metadata: {}, outputs: [], source: ['%load_ext dlmagics'] },
    { cell_type: 'code', execution_count: null, id: 'quiz', metadata: {}, outputs: [], source: ['%dlquiz why-now'] }
  ],
  metadata: { kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' } },
  nbformat: 4,
  nbformat_minor: 5
};

test('nbconvert HTML, offline: the quiz shows its questions as text', async ({ page }) => {
  test.setTimeout(180000);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dlm-export-'));
  const source = path.join(folder, 'quiz.ipynb');
  fs.writeFileSync(source, JSON.stringify(NOTEBOOK));
  execFileSync('jupyter', ['nbconvert', '--to', 'html', '--execute', source], { timeout: 150000, stdio: 'pipe' });
  const exported = path.join(folder, 'quiz.html');
  expect(fs.readFileSync(exported, 'utf-8')).toContain('application/vnd.jupyter.widget-state+json');

  // Offline: only the file itself loads (the widget library would come from a CDN).
  await page.route('**/*', route => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  await page.goto(`file://${exported}`);
  const copy = page.locator('.dlm-quiz-static');
  await expect(copy).toBeVisible();
  await expect(copy).toContainText('Which three things came together to make deep learning work around 2012?');
  await expect(copy).toContainText('GPUs programmable for general computation (CUDA)');
  await expect(copy.locator('li li').first()).toBeVisible();
  await copy.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'screenshots/export-nbconvert-quiz.png' });
});
