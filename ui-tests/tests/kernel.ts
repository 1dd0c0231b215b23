/**
 * Code run in the current notebook's kernel, out of any cell (the tests' way of asking the
 * kernel what it stored, or of setting it up without a cell's output).
 */
import { IJupyterLabPageFixture } from '@jupyterlab/galata';

/** What the code printed; an error it raised, as {"error": ...}. */
export async function printedBy(page: IJupyterLabPageFixture, code: string): Promise<string> {
  return page.evaluate(async source => {
    const kernel = (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({ code: source, store_history: false });
    let text = '';
    future.onIOPub = (msg: any) => {
      if (msg.header.msg_type === 'stream') {
        text += msg.content.text;
      } else if (msg.header.msg_type === 'error') {
        text += JSON.stringify({ error: msg.content.evalue });
      }
    };
    await future.done;
    return text;
  }, code);
}

/** The JSON the code printed. */
export async function inKernel(page: IJupyterLabPageFixture, code: string): Promise<any> {
  return JSON.parse(await printedBy(page, code));
}

/** A new notebook `name` holding `cells`, in the theme asked for, its kernel started and idle. */
export async function notebookOf(
  page: IJupyterLabPageFixture,
  name: string,
  cells: string[],
  theme: string
): Promise<void> {
  if (theme === 'dark') {
    await page.theme.setDarkTheme();
  }
  await page.notebook.createNew(name);
  await page.notebook.setCell(0, 'code', cells[0]);
  for (const source of cells.slice(1)) {
    await page.notebook.addCell('code', source);
  }
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor({ timeout: 60000 });
}
