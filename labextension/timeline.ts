/**
 * Where a notebook meets the history of deep learning: which cells cover which events.
 * Pure functions over plain cell data (no DOM, no JupyterLab), so jest can test them and
 * the Timeline section only renders what they say.
 *
 * A cell covers an event when it is tagged `dl:<event-id>`, when it is a Markdown heading
 * that names the event, or when it runs one of the event's demos or quizzes.
 */
import type { ITimelineEvent } from './protocol';

export interface ICellInfo {
  id: string;
  type: string;
  source: string;
  tags: string[];
}

export type AnchorKind = 'tag' | 'heading' | 'magic';

export interface IAnchor {
  /** The cells that cover the event, in notebook order. */
  cellIds: string[];
  kinds: AnchorKind[];
}

export interface IAnchoring {
  /** Event id -> the cells that cover it. */
  anchors: Map<string, IAnchor>;
  /** Tags `dl:<x>` naming no event: shown as unknown, never fatal. */
  unknownTags: { cellId: string; tag: string }[];
}

export const TAG_PREFIX = 'dl:';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One regular expression per event: any of its names as a whole word, any case. */
function namePatterns(events: ITimelineEvent[]): [string, RegExp][] {
  return events
    .filter(e => e.names.length > 0)
    .map(e => [
      e.id,
      new RegExp(
        `(^|[^\\w-])(${e.names.map(escapeRegExp).join('|')})($|[^\\w-])`,
        'i'
      )
    ]);
}

const HEADING = /^\s{0,3}#{1,6}\s/;
const FENCE = /^\s{0,3}(```|~~~)/;

/** The Markdown headings of a source: the line each starts on and its text (lines inside
 * fenced code, such as a `# timed` comment shown as code, are not headings). */
export function headingLines(source: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  let fenced = false;
  source.split('\n').forEach((line, i) => {
    if (FENCE.test(line)) {
      fenced = !fenced;
    } else if (!fenced && HEADING.test(line)) {
      found.push({ line: i, text: line.replace(/^\s*#+\s*/, '') });
    }
  });
  return found;
}

function headings(source: string): string[] {
  return headingLines(source).map(h => h.text);
}

/** The demos and quizzes a code cell runs: `%train_demo NAME`, `%dlquiz ID`. */
export function magicsIn(source: string): { demos: string[]; quizzes: string[] } {
  const demos: string[] = [];
  const quizzes: string[] = [];
  const magic = /^\s*(?:\w+\s*=\s*)?%(train_demo|dlquiz)\s+([\w-]+)/gm;
  let match: RegExpExecArray | null;
  while ((match = magic.exec(source)) !== null) {
    (match[1] === 'train_demo' ? demos : quizzes).push(match[2]);
  }
  return { demos, quizzes };
}

export function anchorEvents(
  cells: ICellInfo[],
  events: ITimelineEvent[]
): IAnchoring {
  const known = new Map(events.map(e => [e.id, e]));
  const patterns = namePatterns(events);
  const anchors = new Map<string, IAnchor>();
  const unknownTags: { cellId: string; tag: string }[] = [];
  const mark = (eventId: string, cellId: string, kind: AnchorKind) => {
    const anchor = anchors.get(eventId) ?? { cellIds: [], kinds: [] };
    if (!anchor.cellIds.includes(cellId)) {
      anchor.cellIds.push(cellId);
    }
    if (!anchor.kinds.includes(kind)) {
      anchor.kinds.push(kind);
    }
    anchors.set(eventId, anchor);
  };
  for (const cell of cells) {
    for (const tag of cell.tags) {
      if (!tag.startsWith(TAG_PREFIX)) {
        continue;
      }
      const id = tag.slice(TAG_PREFIX.length);
      if (known.has(id)) {
        mark(id, cell.id, 'tag');
      } else {
        unknownTags.push({ cellId: cell.id, tag });
      }
    }
    if (cell.type === 'markdown') {
      for (const heading of headings(cell.source)) {
        for (const [id, pattern] of patterns) {
          if (pattern.test(heading)) {
            mark(id, cell.id, 'heading');
          }
        }
      }
    } else if (cell.type === 'code') {
      const ran = magicsIn(cell.source);
      for (const e of events) {
        if (
          ran.demos.some(d => e.demos.includes(d)) ||
          ran.quizzes.some(q => e.quizzes.includes(q))
        ) {
          mark(e.id, cell.id, 'magic');
        }
      }
    }
  }
  return { anchors, unknownTags };
}

/**
 * The event the reader is at: of the events covered at or above the top cell in view,
 * the one whose first covering cell comes last.
 */
export function eventAt(
  topCellIndex: number,
  cellIds: string[],
  anchoring: IAnchoring
): string | null {
  let best: string | null = null;
  let bestIndex = -1;
  anchoring.anchors.forEach((anchor, eventId) => {
    const index = cellIds.indexOf(anchor.cellIds[0]);
    if (index >= 0 && index <= topCellIndex && index > bestIndex) {
      best = eventId;
      bestIndex = index;
    }
  });
  return best;
}

/** A Markdown cell that opens a section: its first line is a heading. */
function opensSection(cell: ICellInfo): boolean {
  const first = cell.source.split('\n').find(line => line.trim() !== '') ?? '';
  return cell.type === 'markdown' && HEADING.test(first);
}

/** The first place new cells may go: below the title and the cell that loads dlmagics. */
function firstFreeIndex(cells: ICellInfo[]): number {
  const loads = cells.findIndex(c => c.type === 'code' && /^\s*%load_ext\s+dlmagics\b/m.test(c.source));
  const title = cells.length && opensSection(cells[0]) && /^\s*#\s/.test(cells[0].source.replace(/^\s+/, '')) ? 1 : 0;
  return Math.max(title, loads + 1);
}

/**
 * Where "insert" puts an event's cells: `index` in the notebook. When a section starts
 * inside a Markdown cell (the course's notes end one section and open the next in one cell:
 * "Six, not ten... ## Test your understanding"), `splitLine` says where: the cell above
 * `index` keeps its lines before `splitLine`, and the rest goes after the new cells, so the
 * new section sits between the two as a reader would put it by hand.
 */
export interface IInsertPlace {
  index: number;
  splitLine: number | null;
}

/** A place between two lines of the notebook: before line `line` of cell `cell`. */
interface IPosition {
  cell: number;
  line: number;
}

/**
 * Where "insert" puts an event's cells, in the order of history: at the end of the section
 * of the latest earlier event the notebook covers (before the next heading, even one inside
 * a cell), else at the start of the first section that covers a later one, else at the end;
 * never above the title or the cell that loads dlmagics, nor between a section's text and
 * its demo, wherever the cursor is. A section is placed by its tags, headings and demos; a
 * quiz counts only when nothing else covers the event (a course's quiz closes the notebook
 * and asks about all of it).
 */
export function insertPlace(
  eventId: string,
  events: ITimelineEvent[],
  cells: ICellInfo[],
  anchoring: IAnchoring = anchorEvents(cells, events)
): IInsertPlace {
  const at = historyPosition(eventId, events, cells, anchoring);
  const free = firstFreeIndex(cells);
  if (at.cell < free) {
    return { index: free, splitLine: null };
  }
  const before = cells[at.cell]?.source.split('\n').slice(0, at.line) ?? [];
  return before.every(line => line.trim() === '')
    ? { index: at.cell, splitLine: null }
    : { index: at.cell + 1, splitLine: at.line };
}

/** The headings of the notebook's Markdown cells, in order. */
function headingPositions(cells: ICellInfo[]): IPosition[] {
  return ([] as IPosition[]).concat(
    ...cells.map((c, i) =>
      c.type === 'markdown' ? headingLines(c.source).map(h => ({ cell: i, line: h.line })) : []
    )
  );
}

const isAfter = (a: IPosition, b: IPosition) => a.cell > b.cell || (a.cell === b.cell && a.line > b.line);

function historyPosition(
  eventId: string,
  events: ITimelineEvent[],
  cells: ICellInfo[],
  anchoring: IAnchoring
): IPosition {
  const heads = headingPositions(cells);
  // Where the section holding cell i starts: its own first heading, else the last one above.
  const sectionStart = (i: number): IPosition =>
    heads.find(h => h.cell === i) ??
    heads.filter(h => h.cell < i).pop() ?? { cell: i, line: 0 };
  const placing = placingCells(cells, anchoring);
  const at = events.findIndex(e => e.id === eventId);
  for (const earlier of events.slice(0, Math.max(at, 0)).reverse()) {
    const found = placing(earlier);
    if (found.length) {
      const start = sectionStart(Math.max(...found));
      return heads.find(h => isAfter(h, start)) ?? { cell: cells.length, line: 0 };
    }
  }
  // Nothing earlier is covered: at the start of the first section that covers a later event.
  const later = ([] as number[]).concat(...events.slice(at + 1).map(placing));
  return later.length ? sectionStart(Math.min(...later)) : { cell: cells.length, line: 0 };
}

/** The cells that place an event's section: those that cover it by a tag, a heading or a
 * demo; its quiz cells only when nothing else covers it. */
function placingCells(cells: ICellInfo[], anchoring: IAnchoring): (e: ITimelineEvent) => number[] {
  const position = new Map(cells.map((c, i) => [c.id, i]));
  const byQuizOnly = (cell: ICellInfo, e: ITimelineEvent) =>
    cell.type === 'code' &&
    !cell.tags.includes(TAG_PREFIX + e.id) &&
    !magicsIn(cell.source).demos.some(d => e.demos.includes(d));
  return e => {
    const covering = (anchoring.anchors.get(e.id)?.cellIds ?? [])
      .map(id => position.get(id))
      .filter((i): i is number => i !== undefined);
    const strong = covering.filter(i => !byQuizOnly(cells[i], e));
    return strong.length ? strong : covering;
  };
}

/**
 * Where a click on an event takes the reader in its cell: the index (among the cell's
 * headings) of the heading that names the event, else of the cell's first heading when text
 * of another section comes above it; null: the top of the cell.
 */
export function headingToShow(cell: ICellInfo, e: ITimelineEvent): number | null {
  const found = cell.type === 'markdown' ? headingLines(cell.source) : [];
  const pattern = namePatterns([e])[0]?.[1];
  const naming = pattern ? found.findIndex(h => pattern.test(h.text)) : -1;
  if (naming >= 0) {
    return naming;
  }
  const above = cell.source.split('\n').slice(0, found[0]?.line ?? 0);
  return found.length && above.some(line => line.trim() !== '') ? 0 : null;
}

/** The cells "insert" adds for an event the notebook does not cover. */
export function cellsForEvent(
  e: ITimelineEvent
): { type: 'markdown' | 'code'; source: string; tags: string[] }[] {
  const markdown = [
    `## ${e.title} (${e.date})`,
    '',
    e.summary,
    '',
    `Source: [${e.source.text}](${e.source.url})`
  ].join('\n');
  const code = e.demos.length
    ? `%train_demo ${e.demos[0]}`
    : e.quizzes.length
      ? `%dlquiz ${e.quizzes[0]}`
      : `%dltimeline --from ${e.year} --to ${e.year}`;
  const tags = [`${TAG_PREFIX}${e.id}`];
  return [
    { type: 'markdown', source: markdown, tags },
    { type: 'code', source: code, tags }
  ];
}

/** One line of the Timeline section. */
export interface ITimelineRow {
  event: ITimelineEvent;
  /** The cells that cover it, in notebook order (empty: not covered). */
  cellIds: string[];
  kinds: AnchorKind[];
  /** The event of the cell in view. */
  active: boolean;
}

/**
 * Everything the Timeline section shows for one notebook, read at one moment. Pass the
 * `anchoring` of these cells when it is at hand: a scroll changes only `readingIndex`.
 */
export function timelineRows(
  events: ITimelineEvent[],
  cells: ICellInfo[],
  readingIndex: number,
  anchoring: IAnchoring = anchorEvents(cells, events)
): {
  rows: ITimelineRow[];
  covered: number;
  unknownTags: { cellId: string; tag: string }[];
} {
  const active = eventAt(
    readingIndex,
    cells.map(c => c.id),
    anchoring
  );
  const rows = events.map(event => {
    const anchor = anchoring.anchors.get(event.id);
    return {
      event,
      cellIds: anchor?.cellIds ?? [],
      kinds: anchor?.kinds ?? [],
      active: event.id === active
    };
  });
  return {
    rows,
    covered: anchoring.anchors.size,
    unknownTags: anchoring.unknownTags
  };
}
