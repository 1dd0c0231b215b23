/**
 * The sidebar's Timeline on a course notebook, in a real JupyterLab and Debian's Chromium:
 * marks before %load_ext, click to scroll, the highlight follows the reader, insert, and a
 * tag that names no event.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const SIDEBAR = 'dlmagics-sidebar';
const TIMELINE = 'dlmagics-timeline'; // the Timeline's own left panel
const SHOTS = 'screenshots';
const COURSE = path.resolve(__dirname, '../../examples/04_imagenet_alexnet.ipynb');
const WHY_NOW = path.resolve(__dirname, '../../examples/01_why_now.ipynb');

/** The course notebook, with one more tag that names no event. */
function courseWithAnUnknownTag(): string {
  const nb = JSON.parse(fs.readFileSync(COURSE, 'utf-8'));
  const cell = nb.cells[2];
  cell.metadata.tags = [...(cell.metadata.tags ?? []), 'dl:no-such-event-2031'];
  return JSON.stringify(nb);
}

/** A cell of the active notebook, read from its model (rendered or not, in view or not). */
async function cellAt(page: IJupyterLabPageFixture, index: number) {
  return page.evaluate(i => {
    const cell = (window as any).jupyterapp.shell.currentWidget.content.model.sharedModel.cells[i];
    return { type: cell.cell_type, source: cell.getSource(), tags: cell.getMetadata('tags') ?? [] };
  }, index);
}

async function indexOfCell(page: IJupyterLabPageFixture, source: string) {
  return page.evaluate(
    text =>
      (window as any).jupyterapp.shell.currentWidget.content.model.sharedModel.cells.findIndex(
        (c: any) => c.getSource() === text
      ),
    source
  );
}

/** Every cell of the active notebook: its type and source. */
async function allCells(page: IJupyterLabPageFixture): Promise<{ type: string; source: string }[]> {
  return page.evaluate(() =>
    (window as any).jupyterapp.shell.currentWidget.content.model.sharedModel.cells.map((c: any) => ({
      type: c.cell_type,
      source: c.getSource()
    }))
  );
}

function row(page: IJupyterLabPageFixture, eventId: string) {
  return page.locator(`#${TIMELINE} .dlm-event[data-event="${eventId}"]`);
}

test.describe('DL Magics timeline', () => {
  test('a course notebook: marks, click to scroll, the highlight follows, insert', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadContent(courseWithAnUnknownTag(), 'text', `${tmpPath}/course.ipynb`);
    await page.notebook.openByPath(`${tmpPath}/course.ipynb`);
    await page.notebook.activate('course.ipynb');
    await page.sidebar.openTab(TIMELINE);
    const timeline = page.locator(`#${TIMELINE} .dlm-timeline`);

    // Before %load_ext: the sidebar's own events, marked from the notebook alone.
    await expect(timeline).toHaveAttribute('data-source', 'built-in');
    await expect(row(page, 'alexnet-2012')).toHaveClass(/dlm-covered/);
    await expect(row(page, 'dropout-2012')).toHaveClass(/dlm-covered/);
    await expect(row(page, 'chatgpt-2022')).not.toHaveClass(/dlm-covered/);
    // The tag that names no event is shown as unknown; everything else still works.
    await expect(timeline.locator('.dlm-timeline-unknown')).toContainText('dl:no-such-event-2031');

    // Click a covered event: the notebook scrolls to its first cell and makes it active.
    const dropoutCell = page.locator('.jp-Notebook .jp-Cell', { hasText: 'The tricks: ReLU and dropout' });
    await expect(dropoutCell).not.toBeInViewport();
    await row(page, 'dropout-2012').locator('.dlm-event-open').click();
    await expect(dropoutCell).toBeInViewport({ timeout: 30000 });
    await expect(dropoutCell).toHaveClass(/jp-mod-active/);
    await expect(row(page, 'dropout-2012')).toHaveClass(/dlm-active/);
    await expect(row(page, 'dropout-2012')).toHaveAttribute('aria-current', 'step');

    // Scroll back to the top by hand: the highlight follows the reader.
    await page.locator('.jp-NotebookPanel .jp-WindowedPanel-outer').evaluate(node => {
      node.scrollTop = 0;
    });
    await expect(row(page, 'imagenet-2009')).toHaveClass(/dlm-active/, { timeout: 30000 });
    await expect(row(page, 'dropout-2012')).not.toHaveClass(/dlm-active/);

    // Load dlmagics: the events now come from the kernel; the marks stay.
    await page.notebook.runCell(1, true);
    await expect(timeline).toHaveAttribute('data-source', 'kernel', { timeout: 30000 });
    await expect(row(page, 'alexnet-2012')).toHaveClass(/dlm-covered/);

    // Insert an event the notebook lacks: it goes where history puts it, wherever the cursor is.
    // 1958 precedes every event of this notebook: after the title and %load_ext (cells 0 and 1),
    // before the first section, not below the active cell (5).
    await page.notebook.selectCells(5);
    const before = await page.notebook.getCellCount();
    const perceptron = row(page, 'perceptron-1958');
    await expect(perceptron).not.toHaveClass(/dlm-covered/);
    // The button shows on hover; click it by its event, not by the mouse: the notebook below keeps
    // moving the Timeline (its highlight follows the active cell), which can pull the row from
    // under a pointer.
    await perceptron.hover();
    await perceptron.locator('.dlm-event-insert').dispatchEvent('click');
    await expect.poll(() => page.notebook.getCellCount()).toBe(before + 2);
    const [markdown, code] = [await cellAt(page, 2), await cellAt(page, 3)];
    expect(markdown.type).toBe('markdown');
    expect(markdown.source).toContain("## Rosenblatt's perceptron (1958)");
    expect(markdown.source).toContain('https://doi.org/10.1037/h0042519');
    expect(code).toEqual({ type: 'code', source: '%train_demo xor', tags: ['dl:perceptron-1958'] });
    expect(markdown.tags).toEqual(['dl:perceptron-1958']);
    // Both carry the event's tag, so the event is now covered.
    await expect(perceptron).toHaveClass(/dlm-covered/, { timeout: 30000 });

    // The Timeline panel, and the DL Magics panel with its three sections once a quiz has run.
    await row(page, 'dropout-2012').locator('.dlm-event-open').click();
    await page.screenshot({ path: `${SHOTS}/lab-timeline.png` });
    const quizIndex = await indexOfCell(page, '%dlquiz imagenet');
    expect(quizIndex).toBeGreaterThan(3);
    await page.notebook.runCell(quizIndex, true);
    await page.sidebar.openTab(SIDEBAR);
    await expect(page.locator(`#${SIDEBAR} .dlm-quiz-row[data-quiz="imagenet"]`)).toBeVisible({ timeout: 30000 });
    await page.locator(`#${SIDEBAR}`).screenshot({ path: `${SHOTS}/sidebar-three-sections.png` });
  });

  test("01: a click shows the event's heading; insert is in view, reached by Tab, and puts events where they fall", async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadFile(WHY_NOW, `${tmpPath}/why.ipynb`);
    await page.notebook.openByPath(`${tmpPath}/why.ipynb`);
    await page.notebook.activate('why.ipynb');
    await page.sidebar.openTab(TIMELINE);
    await expect(row(page, 'relu-2011')).toHaveClass(/dlm-covered/);

    // ReLU's cell opens with the end of the hardware section (the A100 note); its heading is
    // below. The click brings the heading to the top of the notebook, not the note.
    const heading = page.locator('.jp-Notebook .jp-RenderedMarkdown h2', { hasText: 'Force 3: algorithms' });
    const note = page.locator('.jp-Notebook .jp-RenderedMarkdown p', { hasText: "because the A100's tensor cores" });
    await row(page, 'relu-2011').locator('.dlm-event-open').click();
    await expect(heading).toBeInViewport({ timeout: 30000 });
    const scroller = page.locator('.jp-NotebookPanel .jp-WindowedPanel-outer');
    const top = (await scroller.boundingBox())!.y;
    // (polled: the notebook measures its cells as they render and may shift a few pixels)
    await expect.poll(async () => (await heading.boundingBox())!.y - top).toBeGreaterThan(-5);
    await expect.poll(async () => (await heading.boundingBox())!.y - top).toBeLessThan(60);
    await expect(note).not.toBeInViewport({ ratio: 0.5 }); // at most a sliver of it

    // "insert" is shown without hovering, and Tab reaches it (Siri's, then Dropout's).
    const dropoutInsert = row(page, 'dropout-2012').locator('.dlm-event-insert');
    await expect(dropoutInsert).toBeVisible();
    await row(page, 'siri-2011').locator('.dlm-event-insert').focus();
    await page.keyboard.press('Tab');
    await expect(dropoutInsert).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(row(page, 'dropout-2012')).toHaveClass(/dlm-covered/, { timeout: 30000 });

    // Dropout (2012) after the ReLU section (2011), before "Test your understanding" and its quiz:
    // the cell that ended one section and opened the next is split at the heading.
    let cells = await allCells(page);
    let at = cells.findIndex(c => c.source.startsWith('## Dropout (2012-07)'));
    expect(cells[at - 1].source).toMatch(/Six, not ten:\s+close enough for a headline, not for a notebook\.$/);
    expect(cells[at + 1]).toEqual({ type: 'code', source: '%train_demo dropout' });
    expect(cells[at + 2].source).toMatch(/^## Test your understanding\n/);
    expect(cells[at + 3].source).toBe('%dlquiz why-now');

    // Deep learning moves to GPUs (2009) after the CUDA part (2007), before "Force 3: algorithms".
    await row(page, 'gpu-dbn-2009').locator('.dlm-event-insert').dispatchEvent('click');
    await expect(row(page, 'gpu-dbn-2009')).toHaveClass(/dlm-covered/, { timeout: 30000 });
    cells = await allCells(page);
    at = cells.findIndex(c => c.source.startsWith('## Deep learning moves to GPUs (2009-06)'));
    expect(cells[at - 1].source).toMatch(/the point stands either way\.$/);
    expect(cells[at + 2].source).toMatch(/^## Force 3: algorithms\n/);
    // Every heading and the quiz are still there, once each, and the inserted text is rendered.
    expect(cells.filter(c => c.source.includes('## Test your understanding'))).toHaveLength(1);
    expect(cells[cells.length - 1].source).toBe('%dlquiz why-now');
    await page.locator(`#${TIMELINE}`).screenshot({ path: `${SHOTS}/timeline-insert.png` });
  });
});
