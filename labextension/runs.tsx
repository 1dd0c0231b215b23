/**
 * The sidebar's Runs section: the demo training now (step, time left, its losses in small,
 * Stop) and the last %%gpubench results of the active notebook's kernel, each device's
 * speedup as a bar with its 95% interval; a result scrolls to its cell.
 */
import * as React from 'react';
import { duration, sig3 } from './format';
import { IKernelState, ITrainingPoint } from './model';
import { IBenchResult, ITrainingRun } from './protocol';
import { Sparkline } from './sparkline';

/** The results shown, newest first (the model keeps more). */
export const SHOWN_RESULTS = 5;

export interface IRunsSectionProps {
  state: IKernelState | null;
  /** Scroll the active notebook to a cell; false when it has no such cell. */
  revealCell: (cellId: string) => boolean;
  /** Ask the kernel to stop its demo; false when it cannot be asked. */
  stopTraining: () => boolean;
}

export function RunsSection(props: IRunsSectionProps): JSX.Element {
  const { state } = props;
  const connected = state?.status === 'connected';
  const training = connected ? state.training : null;
  const results = connected ? state.benchmarks.slice(-SHOWN_RESULTS).reverse() : [];
  return (
    <div className="dlm-runs" data-results={results.length}>
      {training && (
        <TrainingRun run={training} curve={state!.curve} stop={props.stopTraining} />
      )}
      {results.length > 0 && (
        <ul className="dlm-bench-list" aria-label="Latest %%gpubench results">
          {results.map(r => (
            <BenchRow key={r.created + r.cell?.timed + JSON.stringify(r.sweep)} result={r} reveal={props.revealCell} />
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

/** Seconds left: the kernel's figure, else from the pace so far; null before the first step. */
export function secondsLeft(run: ITrainingRun): number | null {
  if (typeof run.left_s === 'number') {
    return run.left_s;
  }
  if (run.step <= 0 || run.steps <= run.step) {
    return run.steps <= run.step ? 0 : null;
  }
  return (run.elapsed_s / run.step) * (run.steps - run.step);
}

function TrainingRun(props: {
  run: ITrainingRun;
  curve: ITrainingPoint[];
  stop: () => boolean;
}): JSX.Element {
  const { run, curve } = props;
  const [asked, setAsked] = React.useState<string | null>(null);
  const running = run.status === 'running';
  const left = running ? secondsLeft(run) : null;
  const where =
    `step ${run.step.toLocaleString()} of ${run.steps.toLocaleString()}` +
    (running
      ? left !== null
        ? `, about ${Math.ceil(left)} s left`
        : ''
      : `, ${run.status} after ${run.elapsed_s.toFixed(1)} s`);
  const losses: number[] = [];
  curve.forEach(p => p.losses.forEach(l => l !== null && isFinite(l) && losses.push(l)));
  const place = lossScale(losses);
  // Across: the steps planned, so the curves grow from the left as the run goes on.
  const xs = curve.map(p => (run.steps > 0 ? Math.min(1, p.step / run.steps) : 0));
  const series = run.contenders.map((c, i) => ({
    className: `dlm-line-${i % 4}`,
    xs,
    values: curve.map(p => {
      const loss = p.losses[i];
      return loss === null || loss === undefined || !isFinite(loss) ? null : place(loss);
    })
  }));
  const stopping = asked === run.command && running;
  return (
    <div className="dlm-training" data-status={run.status} data-demo={run.demo}>
      <div className="dlm-training-head">
        <span>
          <b>{run.title}</b> <span className="dlm-training-year">({run.year})</span>
        </span>
        {running && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn dlm-training-stop"
            disabled={stopping}
            onClick={() => setAsked(props.stop() ? run.command : null)}
            title="Stop training at the next step; the history so far is kept"
          >
            {stopping ? 'Stopping…' : 'Stop'}
          </button>
        )}
      </div>
      <div className="dlm-training-step" role="status">
        {where}
      </div>
      <Sparkline series={series} label={`Training loss of ${run.contenders.map(c => c.name).join(' and ')}`} />
      <div className="dlm-legend dlm-training-legend">
        {run.contenders.map((c, i) => (
          <span key={c.name} className={`dlm-key dlm-key-${i % 4}`}>
            {c.name}
            {c.loss !== null && isFinite(c.loss) ? ` ${sig3(c.loss)}` : ''}
          </span>
        ))}
      </div>
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

/** What the speedup says: a claim only where its interval leaves 1x out. */
export function speedupWords(speedup: number, ci: [number, number]): string {
  const figure = `${sig3(speedup)}x [${sig3(ci[0])}, ${sig3(ci[1])}]`;
  if (ci[1] < 1) {
    return `${figure}, ${sig3(1 / speedup)}x slower`;
  }
  return ci[0] <= 1 ? `${figure}, no clear difference` : `${figure} faster`;
}

/** Where on a bar (0..1) a ratio falls: log scale, `low`..`high` spanning the bar. */
export function barPosition(value: number, low: number, high: number): number {
  const span = Math.log(high) - Math.log(low);
  return span > 0 ? Math.min(1, Math.max(0, (Math.log(value) - Math.log(low)) / span)) : 0.5;
}

/** The first line of the timed code that says something (not blank, not a comment). */
export function cellTitle(result: IBenchResult): string {
  const line =
    (result.cell?.timed ?? '')
      .split('\n')
      .map(l => l.trim())
      .find(l => l && !l.startsWith('#')) ?? '%%gpubench';
  const point = result.sweep ? ` (${result.sweep.name} = ${String(result.sweep.value)})` : '';
  return (line.length > 40 ? line.slice(0, 39) + '…' : line) + point;
}

function BenchRow(props: {
  result: IBenchResult;
  reveal: (cellId: string) => boolean;
}): JSX.Element {
  const { result } = props;
  const [missing, setMissing] = React.useState(false);
  const base = result.devices.find(d => d.device === result.baseline);
  const low = Math.min(0.5, ...result.speedups.map(s => s.ci95[0])) / 1.2;
  const high = Math.max(2, ...result.speedups.map(s => s.ci95[1])) * 1.2;
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
        {base && (
          <span className="dlm-bench-base">
            {base.device}: {duration(base.median_s)} a run (the baseline)
          </span>
        )}
        {result.speedups.map(s => {
          const lo = barPosition(s.ci95[0], low, high);
          const hi = barPosition(s.ci95[1], low, high);
          const at = barPosition(s.speedup, low, high);
          const words = `${s.device} over ${s.over}: ${speedupWords(s.speedup, s.ci95)}`;
          return (
            <span key={s.device} className="dlm-speedup" data-device={s.device} aria-label={words}>
              <span className="dlm-speedup-label">{words}</span>
              <span className="dlm-speedup-track" aria-hidden="true">
                <span className="dlm-speedup-one" style={{ left: `${one * 100}%` }} />
                <span
                  className={
                    s.ci95[0] > 1 ? 'dlm-speedup-bar dlm-faster' : s.ci95[1] < 1 ? 'dlm-speedup-bar dlm-slower' : 'dlm-speedup-bar'
                  }
                  style={{ left: `${Math.min(one, at) * 100}%`, width: `${Math.abs(at - one) * 100}%` }}
                />
                <span
                  className="dlm-speedup-interval"
                  style={{ left: `${lo * 100}%`, width: `${Math.max(hi - lo, 0.005) * 100}%` }}
                />
              </span>
            </span>
          );
        })}
        {failed.map(d => (
          <span key={d.device} className="dlm-bench-failed">
            {d.device}: {d.status}
          </span>
        ))}
      </button>
      {missing && (
        <span className="dlm-hint">
          {result.cell_id ? 'Its cell is not in this notebook any more.' : 'It ran outside a notebook cell.'}
        </span>
      )}
    </li>
  );
}
