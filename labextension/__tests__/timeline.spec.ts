/// <reference types="node" />
/** Which cells cover which events: tags, headings, magics; the event in view; insert. */
import {
  ICellInfo,
  anchorEvents,
  cellsForEvent,
  eventAt,
  headingLines,
  headingToShow,
  insertPlace,
  magicsIn,
  timelineRows
} from '../timeline';
import builtIn from '../events.json';
import * as fs from 'fs';
import * as path from 'path';
import { initialState, partOf, reduce } from '../model';
import { ITimelineEvent, isTimelineEvent, parseKernelMessage } from '../protocol';
import { sections } from '../sections';
import { timelineSection } from '../timelineSection';
import { cpuSample, snapshot } from './fixtures';
import { gpuSection } from '../gpu';

function event(id: string, names: string[], demos: string[] = [], quizzes: string[] = []): ITimelineEvent {
  const year = Number(id.slice(-4));
  return {
    id,
    date: String(year),
    year,
    title: `Title of ${id}`,
    summary: `What happened in ${id}.`,
    source: { text: `Someone (${year})`, url: `https://example.org/${id}` },
    names,
    demos,
    quizzes,
    gpus: []
  };
}

const EVENTS = [
  event('perceptron-1958', ['perceptron', 'Rosenblatt'], ['xor'], ['timeline']),
  event('perceptrons-1969', ['Perceptrons', 'Minsky']),
  event('alexnet-2012', ['AlexNet'], ['cnn', 'hardware'], ['imagenet']),
  event('chatgpt-2022', ['ChatGPT'])
];

function cell(id: string, type: string, source: string, tags: string[] = []): ICellInfo {
  return { id, type, source, tags };
}

describe('anchoring', () => {
  const cells = [
    cell('a', 'markdown', '# The perceptron (1958)\nRosenblatt built it.'),
    cell('b', 'code', 'run = %train_demo xor --quick'),
    cell('c', 'markdown', '## Perceptrons, the book\nnot a heading: AlexNet'),
    cell('d', 'code', 'print(1)', ['dl:alexnet-2012', 'dl:no-such-event', 'other']),
    cell('e', 'code', '%dlquiz imagenet --mode exam'),
    cell('f', 'raw', '# AlexNet in a raw cell')
  ];
  const { anchors, unknownTags } = anchorEvents(cells, EVENTS);

  it('finds events by heading, tag and magic, in notebook order', () => {
    expect(anchors.get('perceptron-1958')).toEqual({ cellIds: ['a', 'b'], kinds: ['heading', 'magic'] });
    expect(anchors.get('perceptrons-1969')).toEqual({ cellIds: ['c'], kinds: ['heading'] });
    expect(anchors.get('alexnet-2012')).toEqual({ cellIds: ['d', 'e'], kinds: ['tag', 'magic'] });
    expect(anchors.has('chatgpt-2022')).toBe(false);
  });

  it('a heading matches whole names only, and body text is not a heading', () => {
    // "Perceptrons" does not make "perceptron" match; "AlexNet" in body text and raw cells does not count.
    expect(anchors.get('perceptron-1958')!.cellIds).not.toContain('c');
    expect(anchors.get('alexnet-2012')!.cellIds).not.toContain('c');
    expect(anchors.get('alexnet-2012')!.cellIds).not.toContain('f');
  });

  it('an unknown tag is reported, not fatal', () => {
    expect(unknownTags).toEqual([{ cellId: 'd', tag: 'dl:no-such-event' }]);
  });

  it('reads magics with or without an assignment', () => {
    expect(magicsIn('x = %train_demo mnist\n%dlquiz why-now\n# %dlquiz not-me')).toEqual({
      demos: ['mnist'],
      quizzes: ['why-now']
    });
  });

  it('the event in view is the last one covered at or above the top cell', () => {
    const ids = cells.map(c => c.id);
    const anchoring = { anchors, unknownTags };
    expect(eventAt(0, ids, anchoring)).toBe('perceptron-1958');
    expect(eventAt(2, ids, anchoring)).toBe('perceptrons-1969');
    expect(eventAt(5, ids, anchoring)).toBe('alexnet-2012');
    expect(eventAt(0, [], anchoring)).toBeNull();
  });
});

/** Where insert puts an event's cells when no cell needs splitting. */
function indexOf(eventId: string, events: ITimelineEvent[], cells: ICellInfo[]): number {
  const place = insertPlace(eventId, events, cells);
  expect(place.splitLine).toBeNull();
  return place.index;
}

describe('insert', () => {
  it('a tagged markdown cell with title, summary and source, and a cell with the demo', () => {
    const [markdown, code] = cellsForEvent(EVENTS[2]);
    expect(markdown.type).toBe('markdown');
    expect(markdown.source).toContain('## Title of alexnet-2012 (2012)');
    expect(markdown.source).toContain('[Someone (2012)](https://example.org/alexnet-2012)');
    expect(code).toEqual({ type: 'code', source: '%train_demo cnn', tags: ['dl:alexnet-2012'] });
  });

  // A course: its title, a section on the perceptron (text, demo, a note), one on AlexNet.
  const course = [
    cell('t', 'markdown', '# A course'),
    cell('p', 'markdown', '## The perceptron\nRosenblatt built it.'),
    cell('pd', 'code', '%train_demo xor'),
    cell('pn', 'markdown', 'What the demo showed.'),
    cell('a', 'markdown', '\n## AlexNet'),
    cell('ad', 'code', '%train_demo cnn')
  ];

  it('goes after the section of the latest earlier event the notebook covers', () => {
    // 1969 comes after 1958: after the perceptron's note, before the AlexNet heading
    expect(indexOf('perceptrons-1969', EVENTS, course)).toBe(4);
    // 2022 after AlexNet's section, which runs to the end
    expect(indexOf('chatgpt-2022', EVENTS, course)).toBe(6);
  });

  it('an event older than every covered one goes before the first covered section', () => {
    const later = course.slice(0, 1).concat(course.slice(4)); // the title, then AlexNet only
    expect(indexOf('perceptron-1958', EVENTS, later)).toBe(1);
    expect(indexOf('perceptron-1958', EVENTS, [cell('x', 'code', '%train_demo cnn')])).toBe(0);
  });

  it('with nothing earlier covered, before the first covered section, not the nearest in time', () => {
    // The notebook tells 2012 first and 1969 later; 1958 goes before both, at the top.
    const backwards = [
      cell('a', 'markdown', '## AlexNet'),
      cell('ad', 'code', '%train_demo cnn'),
      cell('p', 'markdown', '## Perceptrons, the book')
    ];
    expect(indexOf('perceptron-1958', EVENTS, backwards)).toBe(0);
  });

  it('never above the title or the cell that loads dlmagics (the demo would not run)', () => {
    const titled = [
      cell('t', 'markdown', '# AlexNet, the course'),
      cell('l', 'code', '%load_ext dlmagics\nimport torch'),
      cell('a', 'markdown', '## AlexNet'),
      cell('ad', 'code', '%train_demo cnn')
    ];
    expect(indexOf('perceptron-1958', EVENTS, titled)).toBe(2);
  });

  it('a notebook that covers nothing gets the cells at the end', () => {
    expect(indexOf('alexnet-2012', EVENTS, [cell('t', 'markdown', '# Notes'), cell('c', 'code', '1')])).toBe(2);
    expect(indexOf('alexnet-2012', EVENTS, [])).toBe(0);
  });

  it("the built-in deep belief nets event runs its own demo, not the RBM's", () => {
    const dbn = (builtIn as ITimelineEvent[]).find(e => e.id === 'dbn-2006')!;
    expect(cellsForEvent(dbn)[1].source).toBe('%train_demo dbn');
  });

  it('a section that starts inside a Markdown cell: the cell is split at its heading', () => {
    const notes = [
      cell('p', 'markdown', '## The perceptron'),
      cell('pd', 'code', '%train_demo xor'),
      cell('n', 'markdown', 'What the demo showed.\n\n## AlexNet\nThe 2012 moment.'),
      cell('ad', 'code', '%train_demo cnn')
    ];
    // 1969: after the perceptron's note, before the AlexNet heading inside cell n
    expect(insertPlace('perceptrons-1969', EVENTS, notes)).toEqual({ index: 3, splitLine: 2 });
    // 1958 before 2012, with nothing earlier: at AlexNet's heading, the same place
    expect(insertPlace('perceptron-1958', EVENTS, notes.slice(2))).toEqual({ index: 1, splitLine: 2 });
  });

  it("a closing quiz that asks about every event does not pull an event's section to the end", () => {
    // the course above, closed by a quiz on the perceptron (1958) among others
    const quizzed = course.concat([
      cell('q', 'markdown', '## Test your understanding'),
      cell('qz', 'code', '%dlquiz timeline')
    ]);
    expect(indexOf('perceptrons-1969', EVENTS, quizzed)).toBe(4);
    // covered by the quiz alone, the perceptron's section is the quiz's: 1969 goes after it
    expect(indexOf('perceptrons-1969', EVENTS, quizzed.slice(4))).toBe(4);
  });

  it('a # comment in fenced code is not a heading', () => {
    expect(headingLines('Time it:\n```python\n# timed\ny = x @ x\n```\n# Real')).toEqual([
      { line: 5, text: 'Real' }
    ]);
  });

  it('examples/01: Dropout and Deep learning moves to GPUs go where they fall, not after the quiz', () => {
    const nb = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../examples/01_why_now.ipynb'), 'utf-8')
    );
    const cells: ICellInfo[] = nb.cells.map((c: any, i: number) => ({
      id: String(i),
      type: c.cell_type,
      source: Array.isArray(c.source) ? c.source.join('') : c.source,
      tags: c.metadata?.tags ?? []
    }));
    const events = builtIn as ITimelineEvent[];
    const lineOf = (i: number, text: string) => cells[i].source.split('\n').indexOf(text);
    const heading = (text: string) => cells.findIndex(c => c.source.split('\n').includes(text));
    // Dropout (2012) after ReLU (2011): between "Six, not ten..." and "## Test your understanding"
    const quiz = heading('## Test your understanding');
    expect(quiz).toBeLessThan(cells.length - 1);
    expect(insertPlace('dropout-2012', events, cells)).toEqual({
      index: quiz + 1,
      splitLine: lineOf(quiz, '## Test your understanding')
    });
    // GPUs (2009) after CUDA (2007): at the end of "Force 2: hardware", before "Force 3"
    const force3 = heading('## Force 3: algorithms');
    expect(insertPlace('gpu-dbn-2009', events, cells)).toEqual({
      index: force3 + 1,
      splitLine: lineOf(force3, '## Force 3: algorithms')
    });
    // A click on ReLU shows Force 3's heading, not the A100 note above it in the same cell
    const relu = events.find(e => e.id === 'relu-2011')!;
    const reluCell = anchorEvents(cells, events).anchors.get('relu-2011')!.cellIds[0];
    expect(reluCell).toBe(String(force3));
    expect(headingToShow(cells[force3], relu)).toBe(0);
  });

  it('a click shows the heading that names the event, else the top of a cell that opens with one', () => {
    const alexnet = EVENTS[2];
    expect(headingToShow(cell('x', 'markdown', 'Note.\n## Data\ntext\n## AlexNet\n'), alexnet)).toBe(1);
    expect(headingToShow(cell('x', 'markdown', '## Data\ntext'), alexnet)).toBeNull();
    expect(headingToShow(cell('x', 'markdown', 'Just text about AlexNet'), alexnet)).toBeNull();
    expect(headingToShow(cell('x', 'code', '# AlexNet\n%train_demo cnn'), alexnet)).toBeNull();
  });

  it('falls back to the quiz, then to %dltimeline for that year', () => {
    expect(cellsForEvent({ ...EVENTS[0], demos: [] })[1].source).toBe('%dlquiz timeline');
    expect(cellsForEvent(EVENTS[3])[1].source).toBe('%dltimeline --from 2022 --to 2022');
  });
});

describe('the section', () => {
  const cells = [
    cell('t', 'markdown', '# A course'),
    cell('a', 'markdown', '## AlexNet'),
    cell('b', 'code', '%dlquiz timeline'),
    cell('c', 'markdown', 'text', ['dl:chatgpt-2022', 'dl:gpt-7-2031'])
  ];

  it('rows: every event, the covered ones with their cells, the one in view marked', () => {
    const { rows, covered, unknownTags } = timelineRows(EVENTS, cells, 2);
    expect(rows.map(r => r.event.id)).toEqual(EVENTS.map(e => e.id));
    expect(rows.map(r => r.cellIds)).toEqual([['b'], [], ['a'], ['c']]);
    expect(rows.filter(r => r.active).map(r => r.event.id)).toEqual(['perceptron-1958']);
    expect(covered).toBe(3);
    expect(unknownTags).toEqual([{ cellId: 'c', tag: 'dl:gpt-7-2031' }]);
    expect(timelineRows(EVENTS, cells, 0).rows.some(r => r.active)).toBe(false);
    expect(timelineRows(EVENTS, [], 0).covered).toBe(0);
  });

  it('the built-in copy is well formed, and the kernel copy replaces it once a snapshot has one', () => {
    expect(builtIn.length).toBeGreaterThanOrEqual(30);
    expect(builtIn.every(isTimelineEvent)).toBe(true);
    const before = reduce(initialState('connecting'), snapshot([]));
    expect(partOf(before, timelineSection)).toBeNull();
    const after = reduce(before, { ...snapshot([]), timeline: EVENTS });
    expect(partOf(after, timelineSection)!.map(e => e.id)).toEqual(EVENTS.map(e => e.id));
    // an older kernel (no timeline field) leaves what we had
    expect(partOf(reduce(after, snapshot([])), timelineSection)).toBe(partOf(after, timelineSection));
  });

  it('a snapshot with a malformed event: its timeline is left out, the rest is read', () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const before = reduce(initialState('connecting'), { ...snapshot([]), timeline: EVENTS });
    const bad = { ...snapshot([cpuSample(5)]), timeline: [{ ...EVENTS[0], source: null }] };
    const after = reduce(before, parseKernelMessage(bad, sections)!);
    expect(partOf(after, timelineSection)).toBe(partOf(before, timelineSection));
    expect(partOf(after, gpuSection).history.map(s => s.t)).toEqual([5]);
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining('timeline section is malformed'));
    expect(isTimelineEvent({ ...EVENTS[0], names: 'perceptron' })).toBe(false);
    jest.restoreAllMocks();
  });
});
