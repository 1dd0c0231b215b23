/** The Runs section's model: benchmarks kept, a training run's curve, Stop sent to the kernel. */
import { IKernelState, initialState, KernelChannel, partOf, reduce } from '../model';
import { IBenchmarksMessage, IBenchResult, ITrainingRun, isBenchResult } from '../protocol';
import {
  MAX_BENCHMARKS,
  barPosition,
  benchDetails,
  cellDetail,
  cellTitle,
  lossScale,
  runsSection,
  progressText,
  scaleTicks,
  speedupText,
  stillStopping,
  stopOf
} from '../runs';
import { render, stubHost } from './render';
import { snapshot } from './fixtures';
import { shareEvenly } from '../layout';
import { flush, MockKernel, MockSessionContext } from './mocks';
import benchmarks from './benchmarks.json';
import training from './training.json';
import owntrain from './owntrain.json';
// A %%ddp cell's rows (protocol 1.11.0), written by Python: dlmagics.ddp.row.RunsRow around a real
// 2-rank run with gloo, its first row and its last.
import ddp from './ddp.json';

const finished = training.run as ITrainingRun;
const { words: _, ...wordless } = finished;

/** A running step as a kernel before 1.7.0 sent it (no words; the tests below add them). */
function step(n: number, losses: (number | null)[], command = finished.command): ITrainingRun {
  return {
    ...wordless,
    status: 'running',
    step: n,
    elapsed_s: n * 0.01,
    command,
    contenders: finished.contenders.map((c, i) => ({ ...c, loss: losses[i] }))
  };
}

const runs = (state: IKernelState) => partOf(state, runsSection);

describe('runs', () => {
  const connected = reduce(initialState('connecting'), snapshot([]));

  it('a training run draws its curve, a point per message; another run starts a new one', () => {
    let state = reduce(connected, { type: 'training', run: step(10, [0.7, 0.6]) });
    state = reduce(state, { type: 'training', run: step(20, [0.69, 0.3]) });
    state = reduce(state, { type: 'training', run: step(20, [0.68, 0.29]) }); // the same step again
    expect(runs(state).curve).toEqual([
      { step: 10, losses: [0.7, 0.6] },
      { step: 20, losses: [0.68, 0.29] }
    ]);
    state = reduce(state, { type: 'training', run: step(5, [0.7, 0.7]) }); // run again: from the start
    expect(runs(state).curve).toEqual([{ step: 5, losses: [0.7, 0.7] }]);
    state = reduce(state, { type: 'training', run: step(6, [0.7, 0.7], '%train_demo relu') });
    expect(runs(state).curve).toHaveLength(1);
    // A snapshot of an older kernel (no run in it) keeps what the sidebar had drawn.
    expect(runs(reduce(state, snapshot([]))).curve).toEqual(runs(state).curve);
  });

  it('losses that fall by orders of magnitude are drawn on a log scale', () => {
    const log = lossScale([2, 0.02, 0.2]);
    expect([log(2), log(0.2), log(0.02)].map(Math.round)).toEqual([100, 50, 0]);
    const linear = lossScale([0.7, 0.6]);
    expect(linear(0.7)).toBeCloseTo(100);
    expect(linear(0.35)).toBeCloseTo(50);
  });

  it('where a run stands is the kernel\'s words, the same as its cell\'s: paused, the time left', () => {
    const paused = { ...step(1200, [1, 1]), left_s: 147, words: 'paused: step 1,200 of 5,000, about 2.4 min left' };
    expect(progressText(paused)).toBe('paused: step 1,200 of 5,000, about 2.4 min left');
    const html = render(runsSection, reduce(connected, { type: 'training', run: paused }));
    expect(html).toContain('paused: step 1,200 of 5,000, about 2.4 min left');
    expect(html).not.toContain('147');
    // a kernel before 1.7.0 sends no words: its figures, and no guess from the pace
    const older = { ...step(50, [1, 1]), left_s: 12.5 };
    expect(progressText(older)).toBe('step 50 of 150, about 13 s left');
    expect(progressText({ ...older, left_s: undefined })).toBe('step 50 of 150');
  });

  it('a speedup says the kernel\'s words; a result saved before 1.6.0 its bare figure', () => {
    const [speedup] = benchmarks.results[0].speedups as any[];
    expect(speedupText(speedup)).toBe('31.1x [15, 94]');
    expect(speedupText({ ...speedup, words: '1.02x [0.97, 1.07], no clear difference' })).toBe(
      '1.02x [0.97, 1.07], no clear difference'
    );
    expect(speedupText({ ...speedup, words: '0.5x [0.4, 0.6] (2x slower)' })).toBe('0.5x [0.4, 0.6] (2x slower)');
    expect(speedupText({ ...speedup, words: undefined })).toBe('31.1x');
  });

  it('bars are on a log scale and stay on the track', () => {
    expect(barPosition(1, 0.1, 10)).toBeCloseTo(0.5);
    expect(barPosition(10, 0.1, 10)).toBeCloseTo(1);
    expect(barPosition(1000, 0.1, 10)).toBe(1);
    expect(barPosition(0.001, 0.1, 10)).toBe(0);
  });

  it('a result is titled by its first line of timed code, and its sweep value', () => {
    const result = benchmarks.results[0] as any;
    expect(cellTitle(result)).toBe('y = x @ x');
    expect(cellTitle({ ...result, cell: { timed: '# timed\n\n' + 'z'.repeat(60), setup: null }, sweep: { name: 'n', value: 256 } }))
      .toBe('z'.repeat(39) + '… (n = 256)');
    expect(cellTitle({ ...result, cell: undefined })).toBe('%%gpubench');
  });

  it('two results of the same code read apart: setup line, devices, and a run number when all else is alike', () => {
    // Issue 35: 02's notebook left two cards both titled "y = x @ x".
    const result = benchmarks.results[0] as any;
    const big = { ...result, cell: { timed: 'y = x @ x\n', setup: 'x = torch.randn(4096, 4096, device=device)\n' } };
    const small = {
      ...big,
      cell: { timed: 'y = x @ x\n', setup: 'x = torch.randn(1024, 1024, device=device)\n# a comment\n' },
      devices: [result.devices[0]]
    };
    const again = { ...small, created: 'later' };
    expect(cellDetail(big)).toBe('x = torch.randn(4096, 4096, device=device) · cpu, cuda:0');
    expect(cellDetail(small)).toBe('x = torch.randn(1024, 1024, device=device) · cpu');
    const details = benchDetails([big, small, again]);
    expect([details.get(big), details.get(small), details.get(again)]).toEqual([
      'x = torch.randn(4096, 4096, device=device) · cpu, cuda:0',
      'x = torch.randn(1024, 1024, device=device) · cpu · run 1',
      'x = torch.randn(1024, 1024, device=device) · cpu · run 2'
    ]);
    const state = reduce(connected, { type: 'benchmarks', results: [big, small, again] });
    const html = render(runsSection, state);
    const cards = html.split('class="dlm-bench-row"').slice(1);
    const seen = cards.map(c => c.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').split(' a run')[0]);
    expect(new Set(seen).size).toBe(3); // no two cards start alike
    expect(html).toContain('<span class="dlm-bench-detail">x = torch.randn(1024, 1024, device=device) · cpu · run 2</span>');
  });

  it('the speedup bars have a scale: 1x marked and labelled, with the powers of ten on the track', () => {
    expect(scaleTicks(0.42, 2.4)).toEqual([0.5, 1, 2]);
    expect(scaleTicks(0.42, 113)).toEqual([1, 10, 100]);
    expect(scaleTicks(0.004, 2.4)).toEqual([0.01, 0.1, 1]);
    const state = reduce(connected, { type: 'benchmarks', results: [benchmarks.results[0] as any] });
    const html = render(runsSection, state);
    const scale = html.match(/<span class="dlm-speedup-scale"[^>]*>(.*?)<\/span><\/span>/)![1];
    const labels = (scale.match(/>[\d.]+x</g) ?? []).map(m => m.slice(1, -1));
    expect(labels).toContain('1x');
    const one = html.match(/class="dlm-speedup-one" style="left:([\d.]+)%"/)![1];
    expect(scale).toContain(`left:${one}%">1x`); // the label sits on the 1x mark
  });

  it('a run that shared the machine is marked with the kernel\'s words; a quiet one is not (protocol 1.9.0)', () => {
    const quiet = benchmarks.results[0] as any;
    const mark = 'other processes used 1.7 of the 2 cores';
    const words = "Other processes used 1.7 of the 2 cores during the run: these times are not this cell's alone; run it again when they are done.";
    const crowded = { ...quiet, created: 'later', contention: { mark, words, others_cores: 1.7, cores: 2 } };
    const calm = { ...quiet, contention: { mark: null, words: null, others_cores: 0.1, cores: 2 } };
    const state = reduce(connected, { type: 'benchmarks', results: [calm, crowded] });
    expect(runs(state).benchmarks).toHaveLength(2);
    const html = render(runsSection, state);
    expect(html.match(/class="dlm-bench-crowded"/g)).toHaveLength(1);
    expect(html).toContain(`<span class="dlm-bench-crowded" title="${words.replace(/'/g, '&#x27;')}">${mark}</span>`);
    // A mark that is not words is not drawn: the result is refused whole, as any malformed one;
    // a result from before 1.9.0 (no contention) is read as it was.
    expect(isBenchResult({ ...quiet, contention: { mark: 3, words: null } })).toBe(false);
    expect(isBenchResult(quiet) && isBenchResult(crowded) && isBenchResult(calm)).toBe(true);
  });

  it('Stop asks the kernel over the channel, and only when one is open', async () => {
    const kernel = new MockKernel();
    const channel = new KernelChannel(new MockSessionContext(kernel) as any, () => 'a.ipynb');
    expect(channel.stopTraining()).toBe(false); // not connected yet: nothing sent
    await flush();
    const comm = kernel.opens(snapshot([]), '1.5.0');
    comm.receive({ type: 'training', run: step(10, [0.7, 0.6]) });
    expect(runs(channel.state).training?.step).toBe(10);
    expect(channel.stopTraining()).toBe(true);
    expect(comm.sent).toEqual([{ type: 'request_snapshot' }, { type: 'stop_training' }]);
    channel.dispose();
  });
});

describe('a %%train run in the Runs section (protocol 1.8.0)', () => {
  const connected = reduce(initialState('connecting'), snapshot([]));
  const own = owntrain.run as ITrainingRun; // a real one: the learner's loop without zero_grad()
  const running = { ...own, status: 'running' as const, words: 'training: epoch 1 of 2, batch 40 of 80' };
  const [finding] = own.findings!;

  it('shows the doctor\'s findings as the kernel wrote them, under the curve, with Stop while it trains', () => {
    let state = reduce(connected, { type: 'training', run: { ...running, step: 20 } });
    state = reduce(state, { type: 'training', run: running });
    const html = render(runsSection, state);
    expect(finding).toContain('zero_grad() is never called');
    const list = html.match(/<ul class="dlm-training-findings">(.*?)<\/ul>/)![1];
    const escaped = finding.replace(/'/g, '&#x27;');
    expect(list).toBe(`<li class="dlm-callout">${escaped}</li>`); // each line as it is: no words of the sidebar's own
    expect(html.indexOf('dlm-training-findings')).toBeGreaterThan(html.indexOf('dlm-sparkline'));
    expect(html).toMatch(/<button[^>]*dlm-training-stop[^>]*>Stop<\/button>/);
    expect(html).toContain('data-demo="%%train"');
    // its year is empty: the title stands alone, with no "()"
    expect(html).toContain('<span><b>Your training of model</b></span>');
    expect(html).not.toContain('dlm-training-year');
  });

  it('a demo has no findings list and keeps its year; a run with none found shows none', () => {
    const demo = render(runsSection, reduce(connected, training as any));
    expect(demo).not.toContain('dlm-training-findings');
    expect(demo).toContain('<span class="dlm-training-year"> (1969 / 1986)</span>');
    const healthy = render(runsSection, reduce(connected, { type: 'training', run: { ...running, findings: [] } }));
    expect(healthy).toContain('Your training of model');
    expect(healthy).not.toContain('dlm-training-findings');
  });

  it('a loop of unknown length (steps 0) spreads its curve over the width', () => {
    let state = reduce(connected, { type: 'training', run: { ...running, steps: 0, step: 10 } });
    state = reduce(state, { type: 'training', run: { ...running, steps: 0, step: 20, contenders: [{ ...own.contenders[0], loss: 1 }] } });
    const points = render(runsSection, state).match(/<polyline[^>]*points="([^"]*)"/)![1].split(' ');
    expect(points.map(p => Number(p.split(',')[0]))).toEqual([0, 200]); // not all at x = 0
  });
});

describe('runs after a page reload (protocol 1.6.0)', () => {
  const results = benchmarks.results as unknown as IBenchResult[];
  const running = { ...step(40, [0.69, 0.2]), left_s: 11.4 };
  /** A 1.6.0 kernel's snapshot, mid-training, after one %%gpubench. */
  const reloaded = { ...snapshot([]), benchmarks: results, training: running };

  it('a snapshot with the results and the run rebuilds the Runs part', () => {
    const state = reduce(initialState('connecting'), reloaded); // a fresh page knows nothing
    expect(runs(state).benchmarks).toEqual(results);
    expect(runs(state).training).toEqual(running);
    expect(runs(state).curve).toEqual([{ step: 40, losses: [0.69, 0.2] }]);
    // ...and the section shows the run again: its step, the time left, Stop; and the result.
    const html = render(runsSection, state);
    expect(html).toContain('data-status="running"');
    expect(html).toContain('step 40 of 150, about 12 s left');
    expect(html).toMatch(/<button[^>]*dlm-training-stop[^>]*>Stop<\/button>/);
    expect(html).toContain('<code>y = x @ x</code>');
    expect(html).toContain('cuda:0 over cpu: 31.1x [15, 94]');
  });

  it('a snapshot replaces the results (no doubles, capped) and goes on with the same run', () => {
    let state = reduce(initialState('connecting'), snapshot([]));
    state = reduce(state, benchmarks as unknown as IBenchmarksMessage);
    state = reduce(state, { type: 'training', run: step(30, [0.7, 0.3]) });
    state = reduce(state, reloaded);
    expect(runs(state).benchmarks).toHaveLength(1);
    expect(runs(state).curve.map(p => p.step)).toEqual([30, 40]); // the same run: its curve goes on
    const many = Array.from({ length: MAX_BENCHMARKS + 3 }, (_, i) => ({ ...results[0], created: `t${i}` }));
    state = reduce(state, { ...reloaded, benchmarks: many, training: step(5, [0.7, 0.7]) });
    expect(runs(state).benchmarks.map(r => r.created)).toEqual(many.slice(-MAX_BENCHMARKS).map(r => r.created));
    expect(runs(state).curve.map(p => p.step)).toEqual([5]); // another run: a new curve
  });

  it('a snapshot without them (a kernel before 1.6.0) keeps what was there', () => {
    let state = reduce(initialState('connecting'), snapshot([]));
    state = reduce(state, benchmarks as unknown as IBenchmarksMessage);
    state = reduce(state, { type: 'training', run: running });
    const before = runs(state);
    expect(runs(reduce(state, snapshot([])))).toBe(before);
    // one of the two: the other is kept
    const onlyResults = runs(reduce(state, { ...snapshot([]), benchmarks: [] }));
    expect(onlyResults.benchmarks).toEqual([]);
    expect(onlyResults.training).toBe(before.training);
    expect(onlyResults.curve).toBe(before.curve);
    const onlyRun = runs(reduce(state, { ...snapshot([]), training: finished }));
    expect(onlyRun.benchmarks).toBe(before.benchmarks);
    expect(onlyRun.training).toBe(finished);
  });

  it('after a reload the channel re-attaches, shows the run, and Stop reaches the kernel', async () => {
    const kernel = new MockKernel();
    kernel.existing = { 'kernel-comm': { target_name: 'dlmagics' } }; // the kernel's comm outlived the page
    const channel = new KernelChannel(new MockSessionContext(kernel) as any, () => 'a.ipynb');
    await flush();
    const [comm] = kernel.comms;
    comm.receive(reloaded);
    expect(runs(channel.state).training?.step).toBe(40);
    const host = stubHost();
    host.send = message => channel.send(message);
    const html = render(runsSection, channel.state, host);
    expect(html).toContain('about 12 s left');
    expect(channel.stopTraining()).toBe(true);
    expect(comm.sent).toEqual([{ type: 'request_snapshot' }, { type: 'stop_training' }]);
    channel.dispose();
  });

  it('a result without an interval draws no interval; one saved before 1.6.0 says its bare figure', () => {
    const [result] = results;
    const old = { ...result, speedups: [{ ...result.speedups[0], words: undefined, ci95: null }] };
    const state = reduce(reduce(initialState('connecting'), snapshot([])), { type: 'benchmarks', results: [old] });
    const html = render(runsSection, state);
    expect(html).toContain('cuda:0 over cpu: 31.1x<');
    expect(html).not.toContain('dlm-speedup-interval');
    expect(html).toContain('dlm-speedup-one');
  });

  it('nothing is shown from a kernel not connected, and no notebook shows the hint', () => {
    const state = reduce(initialState('connecting'), reloaded);
    expect(render(runsSection, { ...state, status: 'restarting' })).toContain('No run yet');
    expect(render(runsSection, null)).toContain('No run yet');
  });
});

describe('a %%ddp cell in the Runs section (protocol 1.11.0)', () => {
  const connected = reduce(initialState('connecting'), snapshot([]));
  const running = ddp.running.run as ITrainingRun;
  const finished = ddp.finished.run as ITrainingRun;
  const demo = training.run as ITrainingRun;

  it("shows its ranks and the kernel's words, no empty chart, and a Stop that says it interrupts the kernel", () => {
    const html = render(runsSection, reduce(connected, ddp.running as any));
    expect(html).toContain('data-demo="%%ddp"');
    expect(html).toContain('<b>%%ddp -n 2</b>');
    expect(html).toContain('running: 2 ranks, 0 s');
    expect(html).toContain('rank 0</span>');
    expect(html).toContain('rank 1</span>');
    expect(html).not.toContain('dlm-sparkline'); // the ranks report no loss: no chart claims one
    expect(html).toMatch(/<button[^>]*title="Stop: interrupts the kernel, ending every rank"[^>]*>Stop<\/button>/);
    const done = render(runsSection, reduce(connected, ddp.finished as any));
    expect(done).toContain('data-status="finished"');
    expect(done).toContain('finished: 2 ranks, 3 steps in ');
    expect(done).not.toContain('dlm-training-stop');
  });

  it("its Stop interrupts the kernel and sends nothing; a demo's Stop still asks over the channel", () => {
    const host = stubHost();
    const how = { stopTraining: () => host.send({ type: 'stop_training' }), interrupt: () => host.interrupt() };
    expect(stopOf(running, how).press()).toBe(true);
    expect([host.interrupts, host.sent]).toEqual([1, []]);
    const old = stopOf(demo, how); // a run without the field (every kernel before 1.11.0): as before
    expect(old.title).toBe('Stop training at the next step; the history so far is kept');
    expect(old.press()).toBe(true);
    expect([host.interrupts, host.sent]).toEqual([1, [{ type: 'stop_training' }]]);
    expect(stopOf({ ...demo, stop: 'message' }, how).title).toBe(old.title);
  });

  it('a Stop pressed holds for that run only: the same cell run again has its own Stop', () => {
    const pressed = { ...running, elapsed_s: 7, step: 12 }; // stopped at step 12, 7 s in
    expect(stillStopping(pressed, { ...pressed, elapsed_s: 8 })).toBe(true); // the stop not yet seen
    expect(stillStopping(pressed, { ...pressed, status: 'stopped' })).toBe(false);
    expect(stillStopping(pressed, { ...running, elapsed_s: 0, step: 0 })).toBe(false); // run again
    expect(stillStopping(pressed, { ...pressed, elapsed_s: 1, step: 12 })).toBe(false); // again, as far in steps
    expect(stillStopping(pressed, { ...pressed, command: '%%ddp -n 3' })).toBe(false);
    expect(stillStopping(null, running)).toBe(false);
  });

  it("the channel interrupts the notebook's kernel, and says when there is none", async () => {
    const kernel = new MockKernel();
    const session = new MockSessionContext(kernel);
    const channel = new KernelChannel(session as any, () => 'a.ipynb');
    await flush();
    const comm = kernel.opens(snapshot([]), '1.11.0');
    comm.receive(ddp.running);
    expect(runs(channel.state).training?.stop).toBe('interrupt');
    expect(channel.interrupt()).toBe(true);
    expect(kernel.interrupts).toBe(1);
    expect(comm.sent).toEqual([{ type: 'request_snapshot' }]); // nothing the busy kernel would read late
    session.session = { kernel: null };
    expect(channel.interrupt()).toBe(false);
    channel.dispose();
  });

  it('a snapshot after a reload brings the row back, running or ended', () => {
    const mid = runs(reduce(connected, { ...snapshot([]), training: running }));
    expect(mid.training).toEqual(running);
    const after = runs(reduce(reduce(connected, ddp.running as any), { ...snapshot([]), training: finished }));
    expect(after.training?.status).toBe('finished');
    expect(after.curve.map(p => p.step)).toEqual([0, 3]); // the same run followed to its end
  });
});

describe('sections sharing the sidebar', () => {
  it('each gets what it needs up to an even share; what small ones leave goes to the others', () => {
    expect(shareEvenly([80, 300], 200)).toEqual([80, 120]);
    expect(shareEvenly([130, 250], 166)).toEqual([83, 83]);
    expect(shareEvenly([50, 60], 500)).toEqual([50, 60]); // room to spare: nobody gets more than it needs
    expect(shareEvenly([100, 100], -5)).toEqual([0, 0]);
    expect(shareEvenly([], 100)).toEqual([]);
  });
});
