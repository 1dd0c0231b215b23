/**
 * The DL Magics sidebar in a real JupyterLab, a real kernel and Debian's Chromium.
 * This machine has no GPU, so the sidebar must show the CPU-only state, truthfully.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

const SIDEBAR = 'dlmagics-sidebar';
const SHOTS = 'screenshots';

function gpuSection(page: IJupyterLabPageFixture): Locator {
  return page.locator(`#${SIDEBAR} .dlm-gpu`);
}

async function runInNewCell(page: IJupyterLabPageFixture, source: string) {
  const count = await page.notebook.getCellCount();
  const last = (await page.notebook.getCellTextInput(count - 1)).trim();
  const index = last === '' ? count - 1 : count;
  if (index === count) {
    await page.notebook.addCell('code', source);
  } else {
    await page.notebook.setCell(index, 'code', source);
  }
  await page.notebook.runCell(index, true);
}

/** A new cell of 150 lines of output, scrolled to its end: the cells above it are out of view. */
async function pushOutOfView(page: IJupyterLabPageFixture) {
  await runInNewCell(page, "print('\\n'.join(['filler'] * 150))");
  const output = page.locator('.jp-Notebook .jp-Cell').last().locator('.jp-OutputArea');
  await expect(output).toContainText('filler');
  await output.evaluate(node => node.scrollIntoView({ block: 'end' }));
}

/**
 * The kernel process dies (as an out-of-memory kill does) and the server restarts it.
 * (JupyterLab 4.6.6's own "Restart Kernel" never reconnects in this headless setup,
 * with or without dlmagics, so the test takes the auto-restart path.)
 */
async function crashKernel(page: IJupyterLabPageFixture) {
  await page.notebook.addCell('code', 'import os; os._exit(1)');
  // Run without waiting: the cell never finishes, its kernel is gone.
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('notebook:run-cell');
  });
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('appears to have died');
  await dialog.locator('.jp-mod-accept').click();
}

test.describe('DL Magics sidebar', () => {
  test('shows the CPU-only state, survives a restart, follows the notebook', async ({
    page
  }) => {
    await page.notebook.createNew('first.ipynb');
    await page.sidebar.openTab(SIDEBAR);
    const gpu = gpuSection(page);

    // Before %load_ext: a hint, for this notebook.
    await expect(gpu).toHaveAttribute('data-status', 'no-channel');
    await expect(gpu.locator('.dlm-load-hint')).toContainText('%load_ext dlmagics');
    await expect(gpu.locator('.dlm-notebook')).toHaveText('first.ipynb');

    await runInNewCell(page, '%load_ext dlmagics');
    await expect(gpu).toHaveAttribute('data-status', 'connected');
    await expect(gpu.locator('.dlm-callout')).toContainText('CPU only: no NVIDIA driver');
    await expect(gpu.locator('.dlm-rss')).toContainText(/\d+ MiB of \d+\.\d\d GiB/);
    await expect(gpu.locator('.dlm-cpu')).toContainText('of one core');
    const firstPid = await gpu.locator('.dlm-kernel-pid').textContent();
    expect(firstPid).toMatch(/kernel pid \d+/);
    // It is live: a few seconds of history draw a sparkline.
    await expect(gpu.locator('.dlm-host-card .dlm-sparkline')).toBeVisible({ timeout: 30000 });
    await page.locator(`#${SIDEBAR}`).screenshot({ path: `${SHOTS}/sidebar-cpu-only.png` });

    // The kernel dies and restarts: the old state goes, the hint returns,
    // and %load_ext brings it back.
    await crashKernel(page);
    await expect(gpu).toHaveAttribute('data-status', 'no-channel', { timeout: 30000 });
    await expect(gpu.locator('.dlm-kernel-pid')).toHaveCount(0);
    await runInNewCell(page, '%load_ext dlmagics');
    await expect(gpu).toHaveAttribute('data-status', 'connected');
    await expect(gpu.locator('.dlm-callout')).toContainText('CPU only');
    await expect(gpu.locator('.dlm-rss')).toContainText(/\d+ MiB of \d+\.\d\d GiB/);
    const restartedPid = await gpu.locator('.dlm-kernel-pid').textContent();
    expect(restartedPid).not.toEqual(firstPid);

    // A second notebook: the sidebar switches to that kernel.
    // (A unique path: a new Untitled.ipynb would join first.ipynb's old session.)
    const second = 'second.ipynb';
    await page.evaluate(async path => {
      const app = (window as any).jupyterapp;
      await app.serviceManager.contents.save(path, {
        type: 'notebook',
        format: 'json',
        content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }
      });
      const panel = await app.commands.execute('docmanager:open', {
        path,
        factory: 'Notebook',
        kernel: { name: 'python3' }
      });
      await panel.sessionContext.ready;
    }, second);
    await expect(gpu.locator('.dlm-notebook')).toHaveText(second);
    await expect(gpu).toHaveAttribute('data-status', 'no-channel');
    await runInNewCell(page, '%load_ext dlmagics');
    await expect(gpu).toHaveAttribute('data-status', 'connected');
    const secondPid = await gpu.locator('.dlm-kernel-pid').textContent();
    expect(secondPid).not.toEqual(restartedPid);

    // And back to the first one.
    await page.getByRole('tab', { name: 'first.ipynb' }).click();
    await expect(gpu.locator('.dlm-notebook')).toHaveText('first.ipynb');
    await expect(gpu.locator('.dlm-kernel-pid')).toHaveText(restartedPid!);

    await page.screenshot({ path: `${SHOTS}/lab-cpu-only.png` });
  });

  test('a GPU (the fake NVML of the tests) renders with bars, figures and history', async ({
    page
  }) => {
    await page.notebook.createNew('fake-gpu.ipynb');
    await page.sidebar.openTab(SIDEBAR);
    await runInNewCell(
      page,
      [
        'from dlmagics import testing',
        'testing.install(testing.FakeNVML([testing.FakeGpu(), testing.FakeGpu(name="NVIDIA H200", uuid="GPU-2", memory_used=135 * 2**30, unsupported={"power", "power_limit"})]))',
        '%load_ext dlmagics',
        '%config DLMagics.monitor_interval = 0.2'
      ].join('\n')
    );
    const gpu = gpuSection(page);
    await expect(gpu).toHaveAttribute('data-status', 'connected');
    const cards = gpu.locator('.dlm-gpu-card');
    await expect(cards).toHaveCount(2);
    await expect(cards.first().locator('.dlm-card-title')).toHaveText('GPU 0: NVIDIA H200');
    await expect(cards.first().locator('.dlm-vram')).toHaveText('12.00 GiB / 141.00 GiB (9%)');
    await expect(cards.first()).toContainText('Util 37%');
    await expect(cards.first()).toContainText('312 W / 700 W');
    await expect(cards.nth(1)).toContainText('n/a'); // power not supported there
    await expect(cards.nth(1).locator('.dlm-bar-full')).toHaveCount(1); // 96% used: warned
    await expect(cards.first().locator('.dlm-bar-full')).toHaveCount(0);
    await expect(gpu.locator('.dlm-callout')).toHaveCount(0);
    await expect(cards.first().locator('.dlm-sparkline')).toBeVisible({ timeout: 30000 });

    // The same figures in the notebook: a static table that stays in the saved file.
    await runInNewCell(page, '%gpumon');
    const count = await page.notebook.getCellCount();
    const output = (await page.notebook.getCellOutputLocator(count - 1))!;
    await expect(output.locator('table')).toContainText('NVIDIA H200');
    await expect(output.locator('table')).toContainText('12.00 GiB / 141.00 GiB (9%)');
    await output.screenshot({ path: `${SHOTS}/gpumon-fake-gpu.png` });

    // The sidebar's clock reads as the cell's: 24-hour "19:41:04", not "7:41:04 PM".
    const clock = /\b([01]\d|2[0-3]):[0-5]\d:[0-5]\d\b/;
    await expect(output).toContainText(new RegExp(`Sampled ${clock.source}`));
    await expect(gpu.locator('.dlm-footer')).toContainText(new RegExp(`Last sample ${clock.source}\\.$`));

    // A live table, then %gpumon --stop (00's last cell): the cell's table stops and says
    // so; the sidebar's monitor keeps going.
    await runInNewCell(page, '%gpumon --start');
    await runInNewCell(page, '%gpumon --stop');
    const stopped = (await page.notebook.getCellOutputLocator((await page.notebook.getCellCount()) - 1))!;
    await expect(stopped).toContainText('live table stopped; the monitor runs on every 0.2 s for the sidebar');
    await expect(gpu.locator('.dlm-footer')).toContainText('Every 0.2 s');
    const seen = (await gpu.locator('.dlm-footer').textContent())!;
    await expect(gpu.locator('.dlm-footer')).not.toHaveText(seen, { timeout: 30000 }); // new samples arrive
    await expect(gpu.locator('.dlm-footer')).not.toContainText('Monitor stopped');
    await page.locator(`#${SIDEBAR}`).screenshot({ path: `${SHOTS}/sidebar-fake-gpu.png` });
  });

  test('%%gpubench shows its report as a table with bars, the same in a saved notebook', async ({
    page
  }) => {
    await page.notebook.createNew('gpubench.ipynb');
    await runInNewCell(page, '%load_ext dlmagics');
    await runInNewCell(
      page,
      [
        '%%gpubench -d cpu,cpu:1 --budget 0.3',
        'x = torch.randn(512, 512, device=device)',
        '# timed',
        'y = x @ x'
      ].join('\n')
    );
    const count = await page.notebook.getCellCount();
    const output = (await page.notebook.getCellOutputLocator(count - 1))!;
    const table = output.locator('table.dlm-bench');
    await expect(table.locator('th')).toHaveCount(3); // a column per device: cpu, cpu:1
    await expect(table).toContainText('1x (baseline)');
    await expect(table.locator('.bar')).toHaveCount(2);
    // Issue 35: the bars read against a scale: a 1x mark where the baseline's bar ends, each time's multiple.
    await expect(table).toContainText('time (log scale)');
    await expect(table.locator('.dlm-bench-one')).toHaveCount(2);
    await expect(table.locator('td').filter({ has: page.locator('.dlm-bench-scale') }).first()).toHaveText(/^\s*1x$/);
    await expect(output).toContainText("cpu:1 agrees with cpu");
    await expect(output).toContainText('Time machine: cpu ran this at');
    await output.screenshot({ path: `${SHOTS}/gpubench-cpu.png` });
  });

  test('%train_demo: move the LR slider and press Stop while it trains', async ({
    page
  }) => {
    await page.notebook.createNew('train-demo.ipynb');
    await runInNewCell(page, '%load_ext dlmagics');
    await runInNewCell(page, 'run = %train_demo optimizers --epochs 300');
    const output = (await page.notebook.getCellOutputLocator(1))!;
    const stop = output.getByRole('button', { name: 'Stop' });
    await expect(stop).toBeVisible({ timeout: 30000 });
    await expect(output).toContainText('training: step', { timeout: 30000 });
    await expect(output.locator('svg polyline').first()).toBeVisible({ timeout: 30000 });
    await output.screenshot({ path: `${SHOTS}/train-demo-live.png` });

    // The slider's readout is editable: type a learning rate, as a learner would.
    const readout = output.locator('.widget-readout').first();
    await readout.click();
    await readout.fill('1.00e-3');
    await readout.press('Enter');
    await expect(output).toContainText('learning rate 0.001', { timeout: 30000 });
    // The slider by keys: ArrowRight moves it up (not the notebook to another cell), and
    // 0 0 or the other arrows with it focused restart or move nothing in the notebook.
    const active = await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.content.activeCellIndex);
    await output.locator('.noUi-handle').first().focus();
    for (const key of ['ArrowRight', '0', '0', 'ArrowDown', 'ArrowUp']) {
      await page.keyboard.press(key);
    }
    await expect(output).toContainText(/learning rate 0\.00(?!1\b)\d+/, { timeout: 30000 });
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    expect(await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.content.activeCellIndex)).toBe(active);
    await stop.click();

    // The dashboard becomes the final picture and summary; the next cell sees the run.
    await expect(output.locator('.dlm-demo-final svg').first()).toBeVisible({ timeout: 30000 });
    await expect(output).toContainText('Stopped after');
    await output.screenshot({ path: `${SHOTS}/train-demo-final.png` });
    await runInNewCell(
      page,
      "print(run.status, run.history.lr_changes[0]['to'], run.history.lr_changes[-1]['to'] > 0.001, run.history.steps_done < run.history.steps_planned)"
    );
    const last = (await page.notebook.getCellOutputLocator(2))!;
    await expect(last).toContainText('stopped 0.001 True True');
  });

  test('Runs: a benchmark shows its speedup bars and scrolls to its cell; a demo shows its step and stops from the sidebar', async ({
    page
  }) => {
    await page.notebook.createNew('runs.ipynb');
    await page.sidebar.openTab(SIDEBAR);
    await runInNewCell(page, '%load_ext dlmagics');
    const runs = page.locator(`#${SIDEBAR} .dlm-runs`);
    await expect(runs).toContainText('No run yet', { timeout: 30000 });
    await runInNewCell(
      page,
      ['%%gpubench -d cpu,cpu:1 --budget 0.3', 'x = torch.randn(256, 256, device=device)', '# timed', 'y = x @ x'].join('\n')
    );
    const row = runs.locator('.dlm-bench-row').first();
    await expect(row.locator('.dlm-bench-title')).toHaveText('y = x @ x', { timeout: 30000 });
    await expect(row).toContainText(/cpu: [\d.]+ (ms|µs) a run \(the baseline\)/);
    const speedup = row.locator('.dlm-speedup[data-device="cpu:1"]');
    await expect(speedup).toContainText(/cpu:1 over cpu: [\d.]+x \[[\d.]+, [\d.]+\]/);
    await expect(speedup.locator('.dlm-speedup-interval')).toBeVisible();
    await expect(speedup.locator('.dlm-speedup-one')).toHaveCount(1);
    // Issue 35: a card says what tells it from another run of the same code, and its bars have a scale.
    await expect(row.locator('.dlm-bench-detail')).toHaveText('x = torch.randn(256, 256, device=device) · cpu, cpu:1');
    await expect(row.locator('.dlm-speedup-scale')).toContainText('1x');
    await expect(row.locator('.dlm-speedup-scale')).toBeVisible();
    // The sidebar's figure is the cell's: the same speedup as the report's table.
    const output = (await page.notebook.getCellOutputLocator(1))!;
    const words = (await speedup.locator('.dlm-speedup-label').textContent())!;
    const figure = words.match(/: ([\d.]+x \[[\d.]+, [\d.]+\])/)![1];
    await expect(output.locator('table.dlm-bench')).toContainText(figure);

    // Push the cell out of view, then click the result: the notebook scrolls back to it.
    await pushOutOfView(page);
    const benchCell = page.locator('.jp-Notebook .jp-Cell').nth(1);
    await expect(benchCell).not.toBeInViewport();
    await row.locator('.dlm-bench-open').click();
    await expect(benchCell).toBeInViewport({ timeout: 30000 });
    await expect(benchCell).toHaveClass(/jp-mod-active/);

    // A demo trains: its step, the time left and its losses in small; Stop in the sidebar stops it.
    await runInNewCell(page, 'run = %train_demo optimizers --epochs 300');
    const training = runs.locator('.dlm-training');
    await expect(training).toHaveAttribute('data-status', 'running', { timeout: 30000 });
    const where = training.locator('.dlm-training-step');
    await expect(where).toContainText(/^training: step [\d,]+ of [\d,]+, about [\d.]+ (s|min) left$/, {
      timeout: 30000
    });
    await expect(training.locator('.dlm-sparkline')).toBeVisible({ timeout: 30000 });
    await page.locator(`#${SIDEBAR}`).screenshot({ path: `${SHOTS}/sidebar-runs.png` });

    // Pause in the cell: the sidebar says "paused" at once, at the step the run holds, in the
    // cell's own words (the same time left, the same units).
    const demo = (await page.notebook.getCellOutputLocator((await page.notebook.getCellCount()) - 1))!;
    await demo.getByRole('button', { name: 'Pause' }).click();
    await expect(where).toContainText(/^paused: step [\d,]+ of [\d,]+, about [\d.]+ (s|min) left$/, {
      timeout: 30000
    });
    const paused = (await where.textContent())!;
    await expect(demo.locator('.dlm-dashboard')).toContainText(paused);
    await training.getByRole('button', { name: 'Stop' }).click();
    await expect(training).toHaveAttribute('data-status', 'stopped', { timeout: 30000 });
    await expect(where).toContainText(/^stopped: step [\d,]+ of [\d,]+ in [\d.]+ (s|min)$/);
    await expect(training.getByRole('button', { name: 'Stop' })).toHaveCount(0);
    await runInNewCell(page, 'print(run.status, run.history.steps_done < run.history.steps_planned)');
    const count = await page.notebook.getCellCount();
    await expect((await page.notebook.getCellOutputLocator(count - 1))!).toContainText('stopped True');
  });

  test('Runs after a page reload: the benchmark row and the demo training come back, and Stop still stops it', async ({
    page
  }) => {
    // Left Untitled: Galata's rename raced the session's path on a busy machine (the server kept
    // Untitled.ipynb), and the page that came back started a new kernel for the renamed file.
    await page.notebook.createNew();
    await page.sidebar.openTab(SIDEBAR);
    await runInNewCell(page, '%load_ext dlmagics');
    await runInNewCell(page, ['%%gpubench -d cpu,cpu:1 --budget 0.3', 'x = torch.randn(128, 128)', '# timed', 'y = x @ x'].join('\n'));
    const runs = page.locator(`#${SIDEBAR} .dlm-runs`);
    await expect(runs.locator('.dlm-bench-title').first()).toHaveText('y = x @ x', { timeout: 30000 });
    // Saved, as a learner's notebook is: the page that comes back opens it with its kernel.
    await page.notebook.save();
    await runInNewCell(page, 'run = %train_demo optimizers --epochs 300');
    await expect(runs.locator('.dlm-training')).toHaveAttribute('data-status', 'running', { timeout: 30000 });

    // The page goes (a reload, a crashed tab); the kernel trains on. JupyterLab asks before
    // leaving a notebook with unsaved outputs (the training keeps adding some): leave.
    page.once('dialog', dialog => void dialog.accept());
    // Galata's own readiness check waits for the Launcher; the restored page shows the notebook.
    await page.reload({ waitForIsReady: false });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 60000 });
    await page.sidebar.openTab(SIDEBAR);
    const again = page.locator(`#${SIDEBAR} .dlm-runs`);
    await expect(again.locator('.dlm-bench-title').first()).toHaveText('y = x @ x', { timeout: 60000 });
    await expect(again.locator('.dlm-speedup[data-device="cpu:1"]')).toContainText(/cpu:1 over cpu: [\d.]+x/);
    const training = again.locator('.dlm-training');
    await expect(training).toHaveAttribute('data-status', 'running', { timeout: 30000 });
    await expect(training.locator('.dlm-training-step')).toContainText(/step [\d,]+ of [\d,]+, about [\d.]+ (s|min) left/, {
      timeout: 30000
    });
    await page.locator(`#${SIDEBAR}`).screenshot({ path: `${SHOTS}/sidebar-runs-after-reload.png` });
    await training.getByRole('button', { name: 'Stop' }).click();
    await expect(training).toHaveAttribute('data-status', 'stopped', { timeout: 30000 });
  });

  test('%dlquiz: answer in the page, the sidebar counts it and scrolls back to the quiz', async ({
    page
  }) => {
    await page.notebook.createNew('quiz.ipynb');
    await page.sidebar.openTab(SIDEBAR);
    await runInNewCell(
      page,
      "import os, tempfile; os.environ['DLMAGICS_QUIZ_STORE'] = tempfile.mkdtemp() + '/progress.jsonl'\n%load_ext dlmagics"
    );
    await runInNewCell(page, '%dlquiz tricks');
    const quizzes = page.locator(`#${SIDEBAR} .dlm-quizzes`);
    const row = quizzes.locator('.dlm-quiz-row[data-quiz="tricks"]');
    await expect(row.locator('.dlm-quiz-answered')).toHaveText('0/9', { timeout: 30000 });

    // Question 4 (He initialisation): pick an option and press Check, as a learner does.
    const output = (await page.notebook.getCellOutputLocator(1))!;
    const question = output.locator('.dlm-quiz-question').nth(3);
    await question.getByText('He: variance 2 / fan_in').click();
    await question.getByRole('button', { name: 'Check' }).click();
    await expect(question.locator('[role="status"]')).toContainText('Correct.');
    await expect(question).toContainText('ReLU zeroes half its inputs');
    await expect(row.locator('.dlm-quiz-answered')).toHaveText('1/9');
    await expect(row.locator('.dlm-quiz-score')).toHaveText('11%');
    await expect(quizzes.locator('.dlm-quiz-overall')).toContainText('11%');
    await question.screenshot({ path: `${SHOTS}/quiz-feedback.png` });

    // Push the quiz out of view, then click it in the sidebar: the notebook scrolls to it.
    await pushOutOfView(page);
    const quizCell = page.locator('.jp-Notebook .jp-Cell').nth(1);
    await expect(quizCell).not.toBeInViewport();
    await row.locator('.dlm-quiz-open').click();
    await expect(quizCell).toBeInViewport({ timeout: 30000 });
    await expect(quizCell).toHaveClass(/jp-mod-active/);
    await page.locator(`#${SIDEBAR}`).screenshot({ path: `${SHOTS}/sidebar-quizzes.png` });

    // One point of eight is 12.5%: the cell and the sidebar both say 12% (one rounding).
    const eight = {
      id: 'eight',
      title: 'Eight sums',
      questions: Array.from({ length: 8 }, (_, i) => ({
        id: `q${i}`,
        type: 'single',
        prompt: `${i} + 1?`,
        options: [{ text: `${i + 1}`, correct: true }, `${i + 2}`]
      }))
    };
    await runInNewCell(page, `open('eight.json', 'w').write(${JSON.stringify(JSON.stringify(eight))})\n%dlquiz eight.json`);
    const eighth = (await page.notebook.getCellOutputLocator((await page.notebook.getCellCount()) - 1))!;
    const first = eighth.locator('.dlm-quiz-question').first();
    await first.getByText('1', { exact: true }).click();
    await first.getByRole('button', { name: 'Check' }).click();
    await expect(first.locator('[role="status"]')).toContainText('Correct.');
    await expect(eighth.locator('.dlm-quiz-score')).toContainText('score 12%');
    const eightRow = quizzes.locator('.dlm-quiz-row[data-quiz="eight"]');
    await expect(eightRow.locator('.dlm-quiz-score')).toHaveText('12%', { timeout: 30000 });
  });

  test('%dlquiz: authors\' HTML renders, its scripts and handlers do not; math in labels is typeset', async ({
    page
  }) => {
    await page.notebook.createNew('evil-quiz.ipynb');
    const evil = {
      id: 'evil',
      title: '<script>window.__dlmPwned = 1</script>Evil',
      questions: [
        {
          id: 'q',
          type: 'single',
          prompt:
            '<img src=x onerror="window.__dlmPwned = 2"> **Pick** the ReLU &mdash; the <i>rectifier</i>:' +
            '<table><tr><th>x</th><td>-1</td><td>2</td></tr><tr><th>f(x)</th><td>0</td><td>2</td></tr></table>',
          options: [
            { text: '$f(x) = \\max(0, x)$ <b onmouseover="window.__dlmPwned = 3">ReLU</b>', correct: true },
            '$\\sigma(x) = \\frac{1}{1 + e^{-x}}$',
            '<a href="javascript:window.__dlmPwned = 5">$\\tanh x$</a>'
          ],
          explanation: '<svg onload="window.__dlmPwned = 4"></svg>Right.'
        }
      ]
    };
    await runInNewCell(
      page,
      "import os, tempfile; os.environ['DLMAGICS_QUIZ_STORE'] = tempfile.mkdtemp() + '/p.jsonl'\n" +
        `open('evil.json', 'w').write(${JSON.stringify(JSON.stringify(evil))})\n%load_ext dlmagics`
    );
    await runInNewCell(page, '%dlquiz evil.json');
    const output = (await page.notebook.getCellOutputLocator(1))!;
    await expect(output).toContainText('<script>window.__dlmPwned = 1</script>Evil'); // the title is text
    // (In the widget: the output also holds the quiz's static copy, hidden, for exports.)
    const quiz = output.locator('.dlm-quiz');
    await expect(quiz.locator('strong', { hasText: 'Pick' })).toBeVisible(); // Markdown renders
    await expect(quiz.locator('i', { hasText: 'rectifier' })).toBeVisible(); // and the author's HTML
    await expect(quiz.locator('table td', { hasText: '-1' })).toBeVisible();
    await expect(quiz).toContainText('the ReLU \u2014 the'); // the entity, decoded
    const labels = quiz.locator('.dlm-quiz-choose-one');
    await expect(labels.locator('mjx-container')).toHaveCount(3, { timeout: 30000 }); // typeset in every label
    const relu = labels.locator('label', { hasText: 'ReLU' });
    await relu.locator('b', { hasText: 'ReLU' }).hover();
    await relu.click();
    await expect(relu.locator('input')).toBeChecked();
    await quiz.getByRole('button', { name: 'Check' }).click();
    await expect(quiz.locator('.dlm-quiz-question [role="status"]')).toContainText('Correct.');
    await expect(quiz).toContainText('Right.');
    expect(await output.locator('script, [onerror], [onmouseover], [onload], a[href^="javascript"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).__dlmPwned)).toBeUndefined();
    await output.screenshot({ path: `${SHOTS}/quiz-html-and-math.png` });
  });
});
