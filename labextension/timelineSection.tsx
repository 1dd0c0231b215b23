/**
 * The Timeline panel: the history of deep learning, top to bottom, with the
 * events the active notebook covers marked. A covered event scrolls to its first cell; an
 * uncovered one offers to insert its cells; the event at the reader's eye is highlighted.
 */
import type { ISignal } from '@lumino/signaling';
import * as React from 'react';
import { ITimelineEvent, isArrayOf, isTimelineEvent } from './protocol';
import type { IReading } from './reading';
import type { ISection, ISectionProps } from './sections';
import { ICellInfo, ITimelineRow, anchorEvents, timelineRows } from './timeline';
import builtInEvents from './events.json';
import timelineIcon from '../labextension/style/timeline.svg';

/** The kernel's events (null until a kernel sends them: the view shows its own copy). */
export const timelineSection: ISection<ITimelineEvent[] | null, never> = {
  id: 'timeline',
  title: 'Timeline',
  rank: 400,
  ownPanel: { icon: timelineIcon }, // a long list that scrolls: the panel's whole height
  types: [], // the snapshot brings the events; no message changes them
  parse: () => null,
  checkSnapshot: snapshot =>
    snapshot.timeline === undefined || isArrayOf(snapshot.timeline, isTimelineEvent),
  initial: null,
  fromSnapshot: (part, snapshot) => snapshot.timeline ?? part,
  reduce: part => part,
  readsStatus: false,
  View: TimelineView
};

/** Redraw the calling component whenever `signal` emits. */
function useSignal(signal: ISignal<unknown, unknown>): void {
  const [, redraw] = React.useReducer((n: number) => n + 1, 0);
  React.useEffect(() => {
    const slot = () => redraw();
    signal.connect(slot);
    return () => {
      signal.disconnect(slot);
    };
  }, [signal]);
}

/** The kernel's events once it sends them; until then, the copy built into the sidebar, so
 * that a notebook's events are marked before %load_ext. Redrawn as the reader moves. */
function TimelineView(props: ISectionProps<ITimelineEvent[] | null>): JSX.Element {
  const { reader } = props.host;
  useSignal(reader.changed);
  const events = props.part ?? (builtInEvents as ITimelineEvent[]);
  return (
    <TimelineSection
      events={events}
      fromKernel={props.part !== null}
      reading={reader.reading}
      reveal={(cellId, event) => reader.jump(cellId, event ?? null)}
      insert={event => reader.insert(event, events)}
    />
  );
}

export interface ITimelineSectionProps {
  events: ITimelineEvent[];
  /** Where the events came from: the kernel's dlmagics, or the sidebar's own copy. */
  fromKernel: boolean;
  reading: IReading | null;
  /** Scroll to a cell; with an event, to that event's heading in it. */
  reveal: (cellId: string, event?: ITimelineEvent) => boolean;
  insert: (event: ITimelineEvent) => boolean;
}

const NO_CELLS: ICellInfo[] = [];

const HOW = {
  tag: 'a dl: tag',
  heading: 'a heading',
  magic: 'a demo or quiz'
};

export function TimelineSection(props: ITimelineSectionProps): JSX.Element {
  const { events, fromKernel, reading, reveal, insert } = props;
  const [coveredOnly, setCoveredOnly] = React.useState(false);
  const cells = reading?.cells ?? NO_CELLS;
  // Anchoring reads every cell: redo it when the cells or events change, not on each scroll
  // or monitor sample (both re-render this section).
  const anchoring = React.useMemo(() => anchorEvents(cells, events), [cells, events]);
  const { rows, covered, unknownTags } = timelineRows(
    events,
    cells,
    reading?.readingIndex ?? 0,
    anchoring
  );
  const cellNumber = (cellId: string) =>
    (reading?.cells.findIndex(c => c.id === cellId) ?? -1) + 1;
  const shown = coveredOnly ? rows.filter(r => r.cellIds.length) : rows;
  return (
    <div
      className="dlm-timeline"
      data-covered={covered}
      data-source={fromKernel ? 'kernel' : 'built-in'}
      data-reading={reading?.readingIndex ?? -1}
    >
      <div className="dlm-timeline-head">
        <p className="dlm-timeline-summary">
          {reading ? (
            <>
              <b>{covered}</b> of {events.length} events in {reading.label}
            </>
          ) : (
            'Open a notebook to see which events it covers.'
          )}
        </p>
        <label className="dlm-timeline-filter">
          <input
            type="checkbox"
            checked={coveredOnly}
            onChange={e => setCoveredOnly(e.currentTarget.checked)}
          />{' '}
          only this notebook's events
        </label>
      </div>
      {unknownTags.length > 0 && (
        <ul className="dlm-timeline-unknown" aria-label="Unknown event tags">
          {unknownTags.map(({ cellId, tag }) => (
            <li key={`${cellId}-${tag}`}>
              <button className="dlm-link" onClick={() => reveal(cellId)}>
                cell {cellNumber(cellId)}
              </button>{' '}
              has <code>{tag}</code>: no such event (see <code>%dltimeline</code>)
            </li>
          ))}
        </ul>
      )}
      <ol className="dlm-timeline-list">
        {shown.map(row => (
          <EventRow
            key={row.event.id}
            row={row}
            canInsert={reading !== null}
            reveal={reveal}
            insert={insert}
          />
        ))}
      </ol>
    </div>
  );
}

function EventRow(props: {
  row: ITimelineRow;
  canInsert: boolean;
  reveal: (cellId: string, event?: ITimelineEvent) => boolean;
  insert: (event: ITimelineEvent) => boolean;
}): JSX.Element {
  const { row, canInsert, reveal, insert } = props;
  const { event } = row;
  const item = React.useRef<HTMLLIElement>(null);
  React.useEffect(() => {
    if (row.active) {
      item.current?.scrollIntoView?.({ block: 'nearest' });
    }
  }, [row.active]);
  const covered = row.cellIds.length > 0;
  const how = row.kinds.map(k => HOW[k]).join(', ');
  const classes = ['dlm-event', covered ? 'dlm-covered' : '', row.active ? 'dlm-active' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <li
      ref={item}
      className={classes}
      data-event={event.id}
      aria-current={row.active ? 'step' : undefined}
    >
      <span className="dlm-event-year">{event.year}</span>
      <span className="dlm-event-dot" aria-hidden="true" />
      <span className="dlm-event-body">
        {covered ? (
          <button
            className="dlm-event-open"
            onClick={() => reveal(row.cellIds[0], event)}
            title={`${event.summary}\n\nIn this notebook through ${how}. Click to go there.`}
          >
            {event.title}
          </button>
        ) : (
          <span className="dlm-event-title" title={event.summary}>
            {event.title}
          </span>
        )}
        {!covered && canInsert && (
          <button
            className="dlm-event-insert"
            onClick={() => insert(event)}
            title="Insert a Markdown cell (title, summary, source) and a cell with its demo or quiz, where the event falls in the notebook's history"
            aria-label={`Insert ${event.title} where it falls in the notebook's history`}
          >
            insert
          </button>
        )}
      </span>
    </li>
  );
}
