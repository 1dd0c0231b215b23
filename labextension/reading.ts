/**
 * The active notebook as the Timeline section reads it: its cells (id, type, source, tags)
 * and the cell the reader is at, kept up to date as cells change, the active cell moves and
 * the notebook scrolls.
 * Also the two actions the section offers: reveal a cell, insert an event's cells.
 */
import { INotebookTracker, Notebook, NotebookPanel } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';
import type { ITimelineEvent } from './protocol';
import { ICellInfo, TAG_PREFIX, cellsForEvent, headingToShow, insertPlace } from './timeline';

export interface IReading {
  label: string;
  cells: ICellInfo[];
  /** The index of the cell the reader is at (see `readingIndex` below). */
  readingIndex: number;
}

const RECOUNT_MS = 250; // edits come in bursts: read the cells once they settle

export class NotebookReader {
  constructor(private readonly _notebooks: INotebookTracker) {
    _notebooks.currentChanged.connect(this._follow, this);
    this._follow();
  }

  get reading(): IReading | null {
    return this._reading;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Scroll the active notebook to a cell and make it active; false if it has none. */
  reveal(cellId: string): boolean {
    return this.jump(cellId, null);
  }

  /** Scroll to the cell that covers an event and make it active; when the event's heading
   * is inside the cell (below text that ends the section before), bring that heading to
   * the top, not the cell's first line. False if the notebook has no such cell. */
  jump(cellId: string, event: ITimelineEvent | null): boolean {
    const notebook = this._notebooks.currentWidget?.content;
    const index = notebook
      ? notebook.widgets.findIndex(cell => cell.model.id === cellId)
      : -1;
    if (!notebook || index < 0) {
      return false;
    }
    const cell = notebook.widgets[index];
    notebook.activeCellIndex = index;
    const heading = event ? headingToShow(cellsOf(notebook)[index], event) : null;
    void notebook.scrollToCell(cell, 'start').then(() => {
      if (heading !== null) {
        // the rendered Markdown's headings, in the order of the source's heading lines
        const shown = cell.node.querySelectorAll('.jp-RenderedMarkdown :is(h1, h2, h3, h4, h5, h6)');
        shown[heading]?.scrollIntoView({ block: 'start' });
      }
    });
    return true;
  }

  /** Add an event's Markdown and code cells where history puts them among the notebook's
   * sections (see `insertPlace`), splitting a Markdown cell whose second part opens the
   * next section. False: no notebook. */
  insert(event: ITimelineEvent, events: ITimelineEvent[]): boolean {
    const notebook = this._notebooks.currentWidget?.content;
    const model = notebook?.model;
    if (!notebook || !model) {
      return false;
    }
    const cells = cellsOf(notebook);
    const { index: at, splitLine } = insertPlace(event.id, events, cells);
    const added: { cell_type: string; source: string; metadata: { tags?: string[] } }[] = cellsForEvent(event).map(c => ({
      cell_type: c.type,
      source: c.source,
      metadata: { tags: c.tags }
    }));
    model.sharedModel.transact(() => {
      if (splitLine !== null) {
        const split = model.sharedModel.getCell(at - 1);
        const lines = split.getSource().split('\n');
        const tags = cells[at - 1].tags;
        split.setSource(lines.slice(0, splitLine).join('\n').replace(/\s+$/, ''));
        // The section's tags go with its heading; others (hide, nbgrader's) stay on both.
        const kept = tags.filter(t => !t.startsWith(TAG_PREFIX));
        if (kept.length < tags.length) {
          split.setMetadata('tags', kept);
        }
        added.push({
          cell_type: 'markdown',
          source: lines.slice(splitLine).join('\n'),
          metadata: tags.length ? { tags } : {}
        });
      }
      model.sharedModel.insertCells(at, added);
    });
    for (const i of splitLine === null ? [at] : [at - 1, at, at + 2]) {
      const markdown = notebook.widgets[i];
      if (markdown?.model.type === 'markdown') {
        // shown as text, like the cells around it (a MarkdownCell; not imported for one flag)
        (markdown as unknown as { rendered: boolean }).rendered = true;
      }
    }
    notebook.activeCellIndex = at + 1;
    void notebook.scrollToCell(notebook.widgets[at], 'start');
    return true;
  }

  private _follow(): void {
    this._panel?.model?.contentChanged.disconnect(this._schedule, this);
    this._panel?.content.activeCellChanged.disconnect(this._onViewChanged, this);
    this._panel?.node.removeEventListener('scroll', this._onViewChanged, true);
    this._panel = this._notebooks.currentWidget;
    const panel = this._panel;
    if (panel) {
      void panel.context.ready.then(() => {
        if (panel === this._panel) {
          panel.model?.contentChanged.connect(this._schedule, this);
          this._read();
        }
      });
      panel.content.activeCellChanged.connect(this._onViewChanged, this);
      // Scroll events do not bubble: catch them on the way down, whichever node scrolls.
      panel.node.addEventListener('scroll', this._onViewChanged, {
        capture: true,
        passive: true
      });
    }
    this._read();
  }

  private _schedule(): void {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._read(), RECOUNT_MS);
  }

  /** Scrolled, or another cell became active: find the reader again, once per frame. */
  private _onViewChanged = (): void => {
    if (!this._frame) {
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        this._updateReadingIndex();
      });
    }
  };

  private _read(): void {
    const panel = this._panel;
    if (!panel?.model) {
      this._reading = null;
    } else {
      const cells = cellsOf(panel.content);
      const previous = this._reading;
      this._reading = {
        label: panel.title.label,
        // Outputs change the content too (a live demo, many times a second): keep the old
        // array when the cells read the same, so the section need not anchor them again.
        cells: previous && sameCells(previous.cells, cells) ? previous.cells : cells,
        readingIndex: readingIndex(panel.content)
      };
    }
    this._changed.emit();
  }

  private _updateReadingIndex(): void {
    const panel = this._panel;
    if (!this._reading || !panel) {
      return;
    }
    const index = readingIndex(panel.content);
    if (index !== this._reading.readingIndex) {
      this._reading = { ...this._reading, readingIndex: index };
      this._changed.emit();
    }
  }

  private _panel: NotebookPanel | null = null;
  private _reading: IReading | null = null;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _frame = 0;
  private _changed = new Signal<this, void>(this);
}

function cellsOf(notebook: Notebook): ICellInfo[] {
  return notebook.widgets.map(cell => {
    const tags = cell.model.getMetadata('tags');
    return {
      id: cell.model.id,
      type: cell.model.type,
      source: cell.model.sharedModel.getSource(),
      tags: Array.isArray(tags) ? tags.filter(t => typeof t === 'string') : []
    };
  });
}

function sameCells(a: ICellInfo[], b: ICellInfo[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (cell, i) =>
        cell.id === b[i].id &&
        cell.type === b[i].type &&
        cell.source === b[i].source &&
        cell.tags.join('\n') === b[i].tags.join('\n')
    )
  );
}

/**
 * Where the reader is: the active cell while any of it is in view (the learner works there,
 * and a click in the sidebar makes the event's cell active); once scrolled away from it, the
 * last cell that starts above a reading line a little below the top of the view.
 */
function readingIndex(notebook: Notebook): number {
  // The part that scrolls: outerNode since JupyterLab 4.1 (windowed notebooks); in 4.0 the
  // notebook's own node.
  const scroller: HTMLElement = (notebook as Partial<Notebook>).outerNode ?? notebook.node;
  const view = scroller.getBoundingClientRect();
  const active = notebook.activeCell;
  if (active?.node.isConnected) {
    const box = active.node.getBoundingClientRect();
    if (box.bottom > view.top && box.top < view.bottom) {
      return notebook.activeCellIndex;
    }
  }
  const line = view.top + Math.min(120, view.height / 4);
  let index = 0;
  notebook.widgets.forEach((cell, i) => {
    if (cell.node.isConnected && cell.node.getBoundingClientRect().top <= line) {
      index = i;
    }
  });
  return index;
}
