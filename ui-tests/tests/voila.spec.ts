/**
 * Voila: a notebook served as an app. Voila runs the cells through nbclient, as nbconvert
 * does, but a person is looking at the page, so a demo must train live with its controls.
 */
import { expect, test } from '@playwright/test';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const PORT = 8877;
const URL = `http://127.0.0.1:${PORT}/`;
const SHOTS = 'screenshots';

function code(id: string, source: string) {
  return { cell_type: 'code', execution_count: null, id, metadata: {}, outputs: [], source: [source] };
}

const NOTEBOOK = {
  cells: [code('load', '%load_ext dlmagics'), code('demo', 'run = %train_demo optimizers --epochs 300')],
  metadata: { kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' } },
  nbformat: 4,
  nbformat_minor: 5
};

let server: ChildProcess;
let log = '';

test.beforeAll(async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dlm-voila-'));
  fs.writeFileSync(path.join(folder, 'demo.ipynb'), JSON.stringify(NOTEBOOK));
  server = spawn('voila', ['demo.ipynb', '--no-browser', `--port=${PORT}`, '--Voila.ip=127.0.0.1'], {
    cwd: folder,
    env: { ...process.env, DLMAGICS_QUIZ_STORE: path.join(folder, 'progress.jsonl') }
  });
  server.stdout!.on('data', d => (log += d));
  server.stderr!.on('data', d => (log += d));
  for (let tries = 0; tries < 120 && !log.includes('is running at'); tries++) {
    await new Promise(done => setTimeout(done, 500));
  }
  if (!log.includes('is running at')) {
    throw new Error(`voila did not start:\n${log}`);
  }
});

test.afterAll(() => {
  server?.kill();
});

test('Voila: a demo trains live, and its slider changes the learning rate mid-run', async ({ page }) => {
  test.setTimeout(180000);
  const errors: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error' && /dlmagics/i.test(message.text())) {
      errors.push(message.text());
    }
  });
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(URL, { timeout: 120000 });
  const board = page.locator('.dlm-dashboard');
  await expect(board).toBeVisible({ timeout: 60000 });
  await expect(board).toContainText('training: step', { timeout: 30000 });
  await expect(board.locator('svg polyline').first()).toBeVisible({ timeout: 30000 });

  const readout = board.locator('.widget-readout').first();
  await readout.click();
  await readout.fill('1.00e-3');
  await readout.press('Enter');
  // The status line is the kernel's: it says the new rate once the training thread took it.
  await expect(board).toContainText('learning rate 0.001', { timeout: 30000 });
  await expect(board).toContainText('training: step');
  await page.screenshot({ path: `${SHOTS}/voila-live.png` });

  await board.getByRole('button', { name: 'Stop' }).click();
  const final = page.locator('.dlm-demo-final');
  await expect(final.locator('svg').first()).toBeVisible({ timeout: 30000 });
  await expect(final).toContainText('Stopped after');
  await expect(final).toContainText('0.001');
  await page.screenshot({ path: `${SHOTS}/voila-final.png` });
  expect(errors).toEqual([]);
});
