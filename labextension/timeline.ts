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

function headings(source: string): string[] {
  return source
    .split('\n')
    .filter(line => /^\s{0,3}#{1,6}\s/.test(line))
    .map(line => line.replace(/^\s*#+\s*/, ''));
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
  return cell.type === 'markdown' && /^\s{0,3}#{1,6}\s/.test(first);
}

/** The first place new cells may go: below the title and the cell that loads dlmagics. */
function firstFreeIndex(cells: ICellInfo[]): number {
  const loads = cells.findIndex(c => c.type === 'code' && /^\s*%load_ext\s+dlmagics\b/m.test(c.source));
  const title = cells.length && opensSection(cells[0]) && /^\s*#\s/.test(cells[0].source.replace(/^\s+/, '')) ? 1 : 0;
  return Math.max(title, loads + 1);
}

/**
 * Where "insert" puts an event's cells, in the order of history: after the section of the
 * latest earlier event the notebook covers (before the next heading), else before the first
 * section that covers a later one, else at the end; never above the title or the cell that
 * loads dlmagics, nor between a section's text and its demo, wherever the cursor is.
 */
export function insertIndex(
  eventId: string,
  events: ITimelineEvent[],
  cells: ICellInfo[],
  anchoring: IAnchoring = anchorEvents(cells, events)
): number {
  return Math.max(historyIndex(eventId, events, cells, anchoring), firstFreeIndex(cells));
}

function historyIndex(
  eventId: string,
  events: ITimelineEvent[],
  cells: ICellInfo[],
  anchoring: IAnchoring
): number {
  const position = new Map(cells.map((c, i) => [c.id, i]));
  const at = events.findIndex(e => e.id === eventId);
  const covering = (e: ITimelineEvent) =>
    (anchoring.anchors.get(e.id)?.cellIds ?? [])
      .map(id => position.get(id))
      .filter((i): i is number => i !== undefined);
  for (const earlier of events.slice(0, Math.max(at, 0)).reverse()) {
    const found = covering(earlier);
    if (found.length) {
      const last = Math.max(...found);
      const next = cells.findIndex((c, i) => i > last && opensSection(c));
      return next < 0 ? cells.length : next;
    }
  }
  // Nothing earlier is covered: before the first section that covers a later event.
  const later = ([] as number[]).concat(...events.slice(at + 1).map(covering));
  if (later.length) {
    const first = Math.min(...later);
    let start = first;
    while (start > 0 && !opensSection(cells[start])) {
      start--;
    }
    return opensSection(cells[start]) ? start : first;
  }
  return cells.length;
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
