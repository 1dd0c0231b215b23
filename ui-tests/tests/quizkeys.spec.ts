/**
 * What the page shows ticked is what the kernel grades and stores, when a learner answers by
 * keys at typing speed with no waits between them (a quiz once graded an option the page did
 * not show ticked: ipywidgets held a tick back while Check went ahead of it).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { inKernel } from './kernel';

const ROUNDS = 20;
// The kernel's stored answers to the first single and the first multiple choice question of
// `tricks` (the page shows questions in the file's order), as positions on the page, with scores.
const STORED = `
import json
from dlmagics.quiz import catalog
from dlmagics.quiz.store import ProgressStore
from dlmagics.quiz.shuffle import option_order
quiz, answers = catalog.find("tricks"), {}
for record in ProgressStore().records("tricks"):
    if record.get("event") == "reset":
        answers = {}
    elif record.get("event") == "answer":
        answers.setdefault(record["question"], []).append((record["answer"], record["score"]))
shown = {}
for q in quiz.questions:
    if q.type in ("single", "multiple") and q.type not in shown:
        order = option_order(q)
        shown[q.type] = [(sorted(order.index(i) for i in (a if isinstance(a, list) else [a])), s) for a, s in answers.get(q.id, [])]
print(json.dumps(shown))
`;

test.use({ viewport: { width: 1366, height: 768 }, kernels: null });
test.afterEach(async ({ page }) => {
  await page.evaluate(() => (window as any).jupyterapp.serviceManager.sessions.shutdownAll());
});

/** The positions of the ticked boxes on the page. */
function ticked(question: Locator): Promise<number[]> {
  return question
    .locator('input[type="checkbox"]')
    .evaluateAll(boxes => boxes.flatMap((box, i) => ((box as HTMLInputElement).checked ? [i] : [])));
}

/** A learner's keys for round r: a few moves and ticks among n options, as a person might type
 * them (the same every run: the rounds differ, the test does not). */
function keysFor(round: number, n: number): string[] {
  const moves = ['ArrowDown', 'Space', 'ArrowDown', 'ArrowUp', 'Space', 'ArrowDown', 'Space'];
  const length = 1 + ((round * 7) % 5);
  return Array.from({ length }, (_, k) => moves[(round * 3 + k * 5) % moves.length]).concat(
    round % n === 0 ? ['Space'] : []
  );
}

async function typeKeys(page: IJupyterLabPageFixture, keys: string[], gapMs: number) {
  for (const key of keys) {
    await page.keyboard.press(key);
    if (gapMs) {
      await page.waitForTimeout(gapMs);
    }
  }
}

test('answered by keys, fast and at typing speed, the kernel grades and keeps what the page shows ticked', async ({
  page
}) => {
  test.setTimeout(5 * 60 * 1000);
  await page.notebook.createNew('keys-graded.ipynb');
  // One line a cell: the editor may indent a typed second line (an IndentationError, seen once).
  await page.notebook.setCell(0, 'code', '%load_ext dlmagics');
  await page.notebook.addCell('code', '%dlquiz --reset tricks');
  await page.notebook.addCell('code', '%dlquiz tricks');
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 60000 });
  await page.menu.clickMenuItem('Run>Run All Cells'); // as themes.spec.ts: runCell's Shift+Enter can go astray
  const quiz = page.locator('.dlm-quiz');
  await quiz.waitFor({ timeout: 60000 });
  const single = quiz.locator('.dlm-quiz-question').filter({ has: page.locator('.dlm-quiz-choose-one') }).first();
  const multiple = quiz
    .locator('.dlm-quiz-question')
    .filter({ has: page.locator('input[type="checkbox"]') })
    .filter({ hasNot: page.locator('.dlm-quiz-choose-one') })
    .first();
  expect(await inKernel(page, STORED)).toEqual({ single: [], multiple: [] });

  const seen: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const gap = round % 2 ? 90 : 0; // a person's pace, then as fast as keys go
    for (const [question, ends] of [
      [single, ['Tab', 'Enter']], // Tab leaves the choose-one group for Check
      [multiple, ['Enter']] // Enter on an option presses Check
    ] as [Locator, string[]][]) {
      const boxes = question.locator('input[type="checkbox"]');
      const n = await boxes.count();
      await boxes.first().focus(); // the one step not by key: JupyterLab has no key into an output
      await typeKeys(page, keysFor(round, n).concat(ends), gap);
      // Graded once more: wait for the kernel's record, then compare it with the page.
      const isSingle = question === single;
      let record: [number[], number] | undefined;
      await expect
        .poll(
          async () => {
            const mine: [number[], number][] = (await inKernel(page, STORED))[isSingle ? 'single' : 'multiple'];
            record = mine.length === round + 1 ? mine[round] : undefined;
            return mine.length;
          },
          { timeout: 20000 }
        )
        .toBe(round + 1);
      const [answer, score] = record!;
      const shown = await ticked(question);
      seen.push(`${isSingle ? 'single' : 'multiple'} ${round}: page ${shown} kernel ${answer}`);
      expect(shown, `round ${round}, ${isSingle ? 'single' : 'multiple'} choice`).toEqual(answer);
      if (isSingle) {
        expect(shown.length).toBe(1); // a round box stays ticked, one at a time
      }
      const feedback = question.locator('.dlm-live');
      await expect(feedback).toContainText(score >= 1 ? 'Correct' : /Not yet|Partly right/);
    }
  }
  // Tab reached Check (the single question's grading came through it every round), and the
  // rounds did not all pick the same answer.
  expect(new Set(seen.map(s => s.replace(/^\S+ \d+: /, ''))).size).toBeGreaterThan(3);
});
