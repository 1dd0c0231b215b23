/**
 * The sidebar's Runs section: the demo, %%train or %%ddp run now (step, time left, its losses
 * in small, the training doctor's findings, Stop) and the last %%gpubench results of the active
 * notebook's kernel, each device's speedup as a bar with its 95% interval and the kernel's
 * words for it; a result scrolls to its cell. A snapshot brings both back after a page reload.
 */
import * as React from 'react';
import { duration, sig3 } from './format';
import type { ChannelStatus } from './model';
import {
  IBenchResult,
  IBenchmarksMessage,
  ISpeedup,
  ITrainingMessage,
  ITrainingRun,
  STOP_TRAINING,
  isArrayOf,
  isBenchResult,
  isTrainingRun
} from './protocol';
import type { ISection } from './sections';
import { Sparkline } from './sparkline';

/** A training run's losses at one step, one per contender (null: not yet known). */
export interface ITrainingPoint {
  step: number;
  losses: (number | null)[];
}

/** The Runs section's part of a kernel's state. */
export interface IRunsPart {
  /** The latest %%gpubench results of this kernel, oldest first. */
  benchmarks: IBenchResult[];
  /** The latest %train_demo, %%train or %%ddp run of this kernel (running or done). */
  training: ITrainingRun | null;
  /** That run's losses so far, a point per training message (about one a second). */
  curve: ITrainingPoint[];
}

export const MAX_CURVE = 600;
export const MAX_BENCHMARKS = 50;

/** The results shown, newest first (the model keeps more). */
export const SHOWN_RESULTS = 5;

/** The curve after a training message: the same run goes on; another (a new command, or
 * the same one again from step 0) starts a new curve. */
function follow(part: IRunsPart, run: ITrainingRun): ITrainingPoint[] {
  const last = part.training;
  const same =
    last !== null &&
    last.demo === run.demo &&
    last.command === run.command &&
    run.step >= last.step;
  const before = same ? part.curve : [];
  const point = { step: run.step, losses: run.contenders.map(c => c.loss) };
  const kept =
    before.length > 0 && before[before.length - 1].step === run.step
      ? before.slice(0, -1)
      : before;
  return kept.concat([point]).slice(-MAX_CURVE);
}

export const runsSection: ISection<IRunsPart, IBenchmarksMessage | ITrainingMessage> = {
  id: 'runs',
  title: 'Runs',
  rank: 300,
  types: ['benchmarks', 'training'],
  parse: data => {
    if (data.type === 'benchmarks') {
      return isArrayOf(data.results, isBenchResult) && data.results.length > 0
        ? (data as unknown as IBenchmarksMessage)
        : null;
    }
    return isTrainingRun(data.run) ? (data as unknown as ITrainingMessage) : null;
  },
  checkSnapshot: snapshot =>
    (snapshot.benchmarks === undefined || isArrayOf(snapshot.benchmarks, isBenchResult)) &&
    (snapshot.training === undefined || isTrainingRun(snapshot.training)),
  initial: { benchmarks: [], training: null, curve: [] },
  // Since 1.6.0 the snapshot carries the results and the run (a reload mid-training shows
  // it again); an older kernel's snapshot leaves what the sidebar had.
  fromSnapshot: (part, snapshot) => {
    const benchmarks = snapshot.benchmarks
      ? snapshot.benchmarks.slice(-MAX_BENCHMARKS)
      : part.benchmarks;
    const run = snapshot.training;
    if (run) {
      return { benchmarks, training: run, curve: follow(part, run) };
    }
    return benchmarks === part.benchmarks ? part : { ...part, benchmarks };
  },
  reduce: (part, msg) =>
    msg.type === 'benchmarks'
      ? { ...part, benchmarks: part.benchmarks.concat(msg.results).slice(-MAX_BENCHMARKS) }
      : { ...part, training: msg.run, curve: follow(part, msg.run) },
  readsStatus: true,
  View: props => (
    <RunsSection
      status={props.status}
      part={props.part}
      revealCell={cellId => props.host.reveal(cellId)}
      stopTraining={() => props.host.send(STOP_TRAINING)}
      interrupt={() => props.host.interrupt()}
    />
  )
};

export interface IRunsSectionProps {
  status: ChannelStatus | null;
  part: IRunsPart;
  /** Scroll the active notebook to a cell; false when it has no such cell. */
  revealCell: (cellId: string) => boolean;
  /** Ask the kernel to stop its demo; false when it cannot be asked. */
  stopTraining: () => boolean;
  /** Interrupt the kernel (a run in the foreground); false when there is none. */
  interrupt: () => boolean;
}

export function RunsSection(props: IRunsSectionProps): JSX.Element {
  const { part } = props;
  const connected = props.status === 'connected';
  const training = connected ? part.training : null;
  const results = connected ? part.benchmarks.slice(-SHOWN_RESULTS).reverse() : [];
  const details = benchDetails(part.benchmarks);
  return (
    <div className="dlm-runs" data-results={results.length}>
      {training && (
        <TrainingRun run={training} curve={part.curve} stop={stopOf(training, props)} />
      )}
      {results.length > 0 && (
        <ul className="dlm-bench-list" aria-label="Latest %%gpubench results">
          {results.map(r => (
            <BenchRow
              key={r.created + r.cell?.timed + JSON.stringify(r.sweep)}
              result={r}
              detail={details.get(r) ?? ''}
              reveal={props.revealCell}
            />
          ))}
        </ul>
      )}
      {!training && results.length === 0 && (
        <p className="dlm-hint">
          No run yet. <code>%%gpubench</code> times a cell on every device;{' '}
          <code>%train_demo NAME</code> trains one of the course's experiments.
        </p>
      )}
    </div>
  );
}

/** Where a run stands: the kernel's words, as its cell says them ("paused: step 1,200 of
 * 5,000, about 2.4 min left"); from a kernel before 1.7.0, the step and its figures. */
export function progressText(run: ITrainingRun): string {
  if (run.words !== undefined) {
    return run.words;
  }
  const left = typeof run.left_s === 'number' ? `, about ${Math.ceil(run.left_s)} s left` : '';
  return (
    `step ${run.step.toLocaleString()} of ${run.steps.toLocaleString()}` +
    (run.status === 'running' ? left : `, ${run.status} after ${run.elapsed_s.toFixed(1)} s`)
  );
}

/** What a run's Stop does, in its tooltip, and the doing (false: it could not be done). A
 * run in the foreground (a %%ddp cell, since 1.11.0) is stopped by interrupting the kernel,
 * which reads no message while the cell runs; the others by asking the kernel over the channel. */
export function stopOf(
  run: ITrainingRun,
  how: Pick<IRunsSectionProps, 'stopTraining' | 'interrupt'>
): { title: string; press: () => boolean } {
  return run.stop === 'interrupt'
    ? { title: 'Stop: interrupts the kernel, ending every rank', press: how.interrupt }
    : { title: 'Stop training at the next step; the history so far is kept', press: how.stopTraining };
}

/** Whether `run` is the run whose Stop was pressed (`asked`: that run as it was then), still
 * running: a new run of the same command (the cell run again) starts with less time or fewer
 * steps than it had, and has its own Stop. */
export function stillStopping(asked: ITrainingRun | null, run: ITrainingRun): boolean {
  return (
    asked !== null &&
    run.status === 'running' &&
    asked.demo === run.demo &&
    asked.command === run.command &&
    run.elapsed_s >= asked.elapsed_s &&
    run.step >= asked.step
  );
}

/** What a speedup says: the kernel's words (its report's), else the bare figure (a result
 * saved before 1.6.0). */
export function speedupText(s: ISpeedup): string {
  return s.words ?? `${sig3(s.speedup)}x`;
}

function TrainingRun(props: {
  run: ITrainingRun;
  curve: ITrainingPoint[];
  stop: { title: string; press: () => boolean };
}): JSX.Element {
  const { run, curve } = props;
  const [asked, setAsked] = React.useState<ITrainingRun | null>(null);
  const running = run.status === 'running';
  React.useEffect(() => {
    if (!running) {
      setAsked(null); // that run ended: the next, the same cell run again, has its own Stop
    }
  }, [running]);
  const where = progressText(run);
  const losses: number[] = [];
  curve.forEach(p => p.losses.forEach(l => l !== null && isFinite(l) && losses.push(l)));
  const place = lossScale(losses);
  // Across: the steps planned, so the curves grow from the left as the run goes on; a loop
  // of unknown length (steps 0) spreads its points over the width.
  const xs = run.steps > 0 ? curve.map(p => Math.min(1, p.step / run.steps)) : undefined;
  const series = run.contenders.map((c, i) => ({
    className: `dlm-line-${i % 4}`,
    xs,
    values: curve.map(p => {
      const loss = p.losses[i];
      return loss === null || loss === undefined || !isFinite(loss) ? null : place(loss);
    })
  }));
  const stopping = stillStopping(asked, run);
  return (
    <div className="dlm-training" data-status={run.status} data-demo={run.demo}>
      <div className="dlm-training-head">
        <span>
          <b>{run.title}</b>
          {run.year && <span className="dlm-training-year"> ({run.year})</span>}
        </span>
        {running && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn dlm-training-stop"
            disabled={stopping}
            onClick={() => setAsked(props.stop.press() ? run : null)}
            title={props.stop.title}
          >
            {stopping ? 'Stopping…' : 'Stop'}
          </button>
        )}
      </div>
      <div className="dlm-training-step" role="status">
        {where}
      </div>
      {losses.length > 0 && ( // none yet, or none ever (a %%ddp cell's ranks): no empty chart
        <Sparkline series={series} label={`Training loss of ${run.contenders.map(c => c.name).join(' and ')}`} />
      )}
      <div className="dlm-legend dlm-training-legend">
        {run.contenders.map((c, i) => (
          <span key={c.name} className={`dlm-key dlm-key-${i % 4}`}>
            {c.name}
            {c.loss !== null && isFinite(c.loss) ? ` ${sig3(c.loss)}` : ''}
          </span>
        ))}
      </div>
      {run.findings && run.findings.length > 0 && (
        <ul className="dlm-training-findings">
          {run.findings.map((line, i) => (
            <li key={i} className="dlm-callout">
              {line}
            </li>
          ))}
        </ul>
      )}
      {run.lesson && !running && (
        <div className={run.lesson.holds ? 'dlm-training-lesson' : 'dlm-training-lesson dlm-not-shown'}>
          {run.lesson.holds ? 'Lesson shown: ' : 'Lesson not shown this time: '}
          {run.lesson.measured}
        </div>
      )}
    </div>
  );
}

/** Where a loss goes on a 0..100 chart: a log scale once the losses span 3x or more (they
 * fall by orders of magnitude, and a linear chart would flatten the end of training). */
export function lossScale(losses: number[]): (loss: number) => number {
  const positive = losses.filter(l => l > 0);
  const low = Math.min(...positive);
  const high = Math.max(...losses, 1e-12);
  if (positive.length === 0 || high / low < 3) {
    return loss => (100 * loss) / high;
  }
  const span = Math.log(high) - Math.log(low);
  return loss => (loss > 0 ? (100 * (Math.log(loss) - Math.log(low))) / span : 0);
}

/** Where on a bar (0..1) a ratio falls: log scale, `low`..`high` spanning the bar. */
export function barPosition(value: number, low: number, high: number): number {
  const span = Math.log(high) - Math.log(low);
  return span > 0 ? Math.min(1, Math.max(0, (Math.log(value) - Math.log(low)) / span)) : 0.5;
}

/** The first line of the timed code that says something (not blank, not a comment). */
export function cellTitle(result: IBenchResult): string {
  const line = codeLines(result.cell?.timed ?? '')[0] ?? '%%gpubench';
  const point = result.sweep ? ` (${result.sweep.name} = ${String(result.sweep.value)})` : '';
  return shorten(line) + point;
}

/** The lines of code that say something (not blank, not a comment), trimmed. */
function codeLines(code: string): string[] {
  return code
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'));
}

function shorten(line: string, most = 40): string {
  return line.length > most ? line.slice(0, most - 1) + '…' : line;
}

/** What tells a result from another of the same timed code: its setup's last line (the data
 * it times, often the sizes) and the devices it ran on. */
export function cellDetail(result: IBenchResult): string {
  const setup = codeLines(result.cell?.setup ?? '').pop();
  const devices = result.devices.map(d => d.device).join(', ');
  return [setup ? shorten(setup, 60) : '', devices].filter(Boolean).join(' · ');
}

/** Each result's detail line, in the order they ran; results alike in title and detail are
 * numbered ("run 2" is the second of them), so no two cards read the same. */
export function benchDetails(results: IBenchResult[]): Map<IBenchResult, string> {
  const key = (r: IBenchResult) => cellTitle(r) + '\n' + cellDetail(r);
  const total = new Map<string, number>();
  results.forEach(r => total.set(key(r), (total.get(key(r)) ?? 0) + 1));
  const seen = new Map<string, number>();
  const details = new Map<IBenchResult, string>();
  for (const r of results) {
    const k = key(r);
    seen.set(k, (seen.get(k) ?? 0) + 1);
    details.set(r, cellDetail(r) + ((total.get(k) ?? 0) > 1 ? ` · run ${seen.get(k)}` : ''));
  }
  return details;
}

/** Where the scale under the bars is labelled: the powers of ten on it, or 0.5x, 1x, 2x when
 * only 1x is (the track always spans 0.5x to 2x). */
export function scaleTicks(low: number, high: number): number[] {
  const powers = [];
  for (let k = Math.ceil(Math.log10(low)); k <= Math.floor(Math.log10(high)); k++) {
    powers.push(10 ** k);
  }
  return powers.length >= 2 ? powers : [0.5, 1, 2];
}

function BenchRow(props: {
  result: IBenchResult;
  detail: string;
  reveal: (cellId: string) => boolean;
}): JSX.Element {
  const { result } = props;
  const [missing, setMissing] = React.useState(false);
  const base = result.devices.find(d => d.device === result.baseline);
  const ends = (s: ISpeedup): [number, number] => s.ci95 ?? [s.speedup, s.speedup];
  const low = Math.min(0.5, ...result.speedups.map(s => ends(s)[0])) / 1.2;
  const high = Math.max(2, ...result.speedups.map(s => ends(s)[1])) * 1.2;
  const one = barPosition(1, low, high);
  const failed = result.devices.filter(d => d.status !== 'ok');
  const open = () => setMissing(!(result.cell_id && props.reveal(result.cell_id)));
  return (
    <li className="dlm-bench-row">
      <button
        className="dlm-bench-open"
        onClick={open}
        title={result.cell_id ? 'Scroll to this cell' : 'The cell is not known'}
      >
        <span className="dlm-bench-title">
          <code>{cellTitle(result)}</code>
        </span>
        {props.detail && <span className="dlm-bench-detail">{props.detail}</span>}
        {base && (
          <span className="dlm-bench-base">
            {base.device}: {duration(base.median_s)} a run (the baseline)
          </span>
        )}
        {result.speedups.map(s => {
          const [from, to] = ends(s);
          const lo = barPosition(from, low, high);
          const hi = barPosition(to, low, high);
          const at = barPosition(s.speedup, low, high);
          const words = `${s.device} over ${s.over}: ${speedupText(s)}`;
          return (
            <span key={s.device} className="dlm-speedup" data-device={s.device} aria-label={words}>
              <span className="dlm-speedup-label">{words}</span>
              <span className="dlm-speedup-track" aria-hidden="true">
                <span className="dlm-speedup-one" style={{ left: `${one * 100}%` }} />
                <span
                  className={
                    s.ci95 && from > 1 ? 'dlm-speedup-bar dlm-faster' : s.ci95 && to < 1 ? 'dlm-speedup-bar dlm-slower' : 'dlm-speedup-bar'
                  }
                  style={{ left: `${Math.min(one, at) * 100}%`, width: `${Math.abs(at - one) * 100}%` }}
                />
                {s.ci95 && (
                  <span
                    className="dlm-speedup-interval"
                    style={{ left: `${lo * 100}%`, width: `${Math.max(hi - lo, 0.005) * 100}%` }}
                  />
                )}
              </span>
            </span>
          );
        })}
        {result.speedups.length > 0 && (
          <span className="dlm-speedup-scale" aria-hidden="true">
            {scaleTicks(low, high).map(t => {
              const at = barPosition(t, low, high);
              return (
                <span key={t} className={at < 0.1 ? 'dlm-start' : at > 0.9 ? 'dlm-end' : ''} style={{ left: `${at * 100}%` }}>
                  {t}x
                </span>
              );
            })}
          </span>
        )}
        {failed.map(d => (
          <span key={d.device} className="dlm-bench-failed">
            {d.device}: {d.status}
          </span>
        ))}
        {result.contention?.mark && (
          <span className="dlm-bench-crowded" title={result.contention.words ?? undefined}>
            {result.contention.mark}
          </span>
        )}
      </button>
      {missing && (
        <span className="dlm-hint">
          {result.cell_id ? 'Its cell is not in this notebook any more.' : 'It ran outside a notebook cell.'}
        </span>
      )}
    </li>
  );
}
