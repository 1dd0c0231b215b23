/** The sidebar model: kernel messages -> state; restart -> reset; malformed -> ignored. */
import { gpuSection } from '../gpu';
import {
  IKernelState,
  KernelChannel,
  SNAPSHOT_RETRIES,
  SNAPSHOT_RETRY_MS,
  SidebarModel,
  initialState,
  partOf,
  reduce
} from '../model';
import { IBenchmarksMessage, ITrainingMessage } from '../protocol';
import { MAX_BENCHMARKS, runsSection } from '../runs';
import benchmarks from './benchmarks.json';
import training from './training.json';
import quiz from './quiz.json';
import { cpuSample, gpuSample, snapshot } from './fixtures';
import { MockKernel, MockSessionContext, flush } from './mocks';

const made: KernelChannel[] = []; // disposed after each test: none keeps asking (a timer) past it

function channelOn(kernel: MockKernel | null) {
  const session = new MockSessionContext(kernel);
  const channel = new KernelChannel(session as any, () => 'Untitled.ipynb');
  made.push(channel);
  const states: IKernelState[] = [];
  channel.stateChanged.connect((_, s) => states.push(s));
  return { session, channel, states };
}

/** The GPU and Runs sections' parts of a state. */
const gpu = (state: IKernelState) => partOf(state, gpuSection);
const runs = (state: IKernelState) => partOf(state, runsSection);

describe('reduce', () => {
  const connected = reduce(
    initialState('connecting'),
    snapshot([cpuSample(1), cpuSample(2)])
  );

  it('a snapshot replaces everything', () => {
    expect(connected.status).toBe('connected');
    expect(gpu(connected).kernel?.pid).toBe(4242);
    expect(gpu(connected).history.map(s => s.t)).toEqual([1, 2]);
  });

  it('a sample is appended; an old or repeated one is ignored', () => {
    const next = reduce(connected, { type: 'sample', sample: cpuSample(3) });
    expect(gpu(next).history.map(s => s.t)).toEqual([1, 2, 3]);
    expect(reduce(next, { type: 'sample', sample: cpuSample(3) })).toBe(next);
    expect(reduce(next, { type: 'sample', sample: cpuSample(2.5) })).toBe(next);
  });

  it('history is capped at what the kernel keeps', () => {
    let state = reduce(
      initialState('connecting'),
      snapshot([]) // 900 s at 1 s
    );
    for (let t = 1; t <= 1000; t++) {
      state = reduce(state, { type: 'sample', sample: cpuSample(t) });
    }
    expect(gpu(state).history).toHaveLength(900);
    expect(gpu(state).history[899].t).toBe(1000);
    state = reduce(state, {
      type: 'monitor',
      monitor: { running: true, interval_s: 2, history_s: 900 }
    });
    expect(gpu(state).history).toHaveLength(450);
    expect(gpu(state).monitor?.interval_s).toBe(2);
  });

  it('benchmark results are kept, newest last, capped, and survive a snapshot', () => {
    const message = benchmarks as unknown as IBenchmarksMessage;
    let state = reduce(connected, message);
    expect(runs(state).benchmarks).toHaveLength(1);
    expect(runs(state).benchmarks[0].devices.map(d => d.device)).toEqual([
      'cpu',
      'cuda:0'
    ]);
    for (let i = 0; i < MAX_BENCHMARKS + 5; i++) {
      state = reduce(state, message);
    }
    expect(runs(state).benchmarks).toHaveLength(MAX_BENCHMARKS);
    state = reduce(state, snapshot([cpuSample(9)]));
    expect(runs(state).benchmarks).toHaveLength(MAX_BENCHMARKS);
  });

  it('keeps the latest %train_demo run, through a snapshot', () => {
    const message = training as unknown as ITrainingMessage;
    let state = reduce(connected, {
      ...message,
      run: { ...message.run, status: 'running', step: 10, lesson: null }
    });
    expect(runs(state).training?.status).toBe('running');
    state = reduce(state, message);
    expect(runs(state).training?.status).toBe('finished');
    expect(runs(state).training?.lesson?.holds).toBe(true);
    state = reduce(state, snapshot([cpuSample(9)]));
    expect(runs(state).training?.demo).toBe('xor');
  });
});

describe('KernelChannel', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => {
    made.splice(0).forEach(channel => channel.dispose());
    jest.useRealTimers(); // also after a failed test that faked them
    jest.restoreAllMocks();
  });

  it('without a kernel says so', () => {
    const { channel } = channelOn(null);
    expect(channel.state.status).toBe('no-kernel');
  });

  it('asks a kernel without dlmagics, and learns it is not loaded', async () => {
    const kernel = new MockKernel();
    const { channel } = channelOn(kernel);
    expect(kernel.targets.has('dlmagics')).toBe(true);
    expect(channel.state.status).toBe('connecting');
    await flush();
    expect(channel.state.status).toBe('no-channel');
    expect(kernel.comms).toHaveLength(0); // the sidebar never opens comms itself
  });

  it('of two resyncs in flight, only the newer acts', async () => {
    const kernel = new MockKernel();
    kernel.existing = { 'kernel-comm': { target_name: 'dlmagics' } };
    const { channel } = channelOn(kernel);
    void channel.resync();
    await flush();
    expect(kernel.comms).toHaveLength(1);
    expect(kernel.comms[0].sent).toHaveLength(1);
  });

  it('%load_ext opens the channel; samples follow; malformed ones are ignored', async () => {
    const kernel = new MockKernel();
    const { channel, states } = channelOn(kernel);
    await flush();
    const comm = kernel.opens(snapshot([gpuSample(1)]));
    expect(comm.sent).toEqual([{ type: 'request_snapshot' }]); // starts the monitor
    expect(channel.state.status).toBe('connected');
    expect(gpu(channel.state).history[0].gpus[0].name).toBe('NVIDIA H200');
    comm.receive({ type: 'sample', sample: gpuSample(2) });
    const before = channel.state;
    const emitted = states.length;
    for (const bad of ['junk', null, { type: 'sample' }, { type: 'wat' }]) {
      comm.receive(bad);
    }
    expect(channel.state).toBe(before);
    expect(states).toHaveLength(emitted);
    expect(console.warn).toHaveBeenCalledTimes(4);
    comm.receive({ type: 'sample', sample: gpuSample(3) });
    expect(gpu(channel.state).history.map(s => s.t)).toEqual([1, 2, 3]);
  });

  it('a kernel restart resets the state and keeps the kernel comm open', async () => {
    const kernel = new MockKernel();
    const { session, channel } = channelOn(kernel);
    await flush();
    const comm = kernel.opens(snapshot([cpuSample(1)]));
    session.statusChanged.emit('restarting');
    expect(channel.state).toEqual(initialState('restarting'));
    expect(comm.isDisposed).toBe(true); // disposed locally...
    expect(comm.closedByUs).toBe(false); // ...never closed for other views
    comm.receive({ type: 'sample', sample: cpuSample(2) }); // a late straggler
    expect(channel.state.status).toBe('restarting');
    // The new kernel process has no dlmagics: no-channel, without asking mid-restart.
    const asked = kernel.comms.length;
    session.statusChanged.emit('starting');
    expect(channel.state.status).toBe('no-channel');
    expect(kernel.comms).toHaveLength(asked);
    // At the first idle it asks once (a kernel may load dlmagics from its config).
    kernel.existing = { 'auto-loaded': { target_name: 'dlmagics' } };
    session.statusChanged.emit('idle');
    await flush();
    expect(kernel.comms).toHaveLength(asked + 1);
    expect(kernel.comms[asked].sent).toEqual([{ type: 'request_snapshot' }]);
    session.statusChanged.emit('idle'); // only once
    await flush();
    expect(kernel.comms).toHaveLength(asked + 1);
    kernel.opens(snapshot([cpuSample(5)]), '1.0.0', 'second');
    expect(channel.state.status).toBe('connected');
    expect(gpu(channel.state).history.map(s => s.t)).toEqual([5]);
  });

  it('after a page reload it re-attaches to the kernel comm by id', async () => {
    const kernel = new MockKernel();
    kernel.existing = { 'kernel-comm': { target_name: 'dlmagics' } };
    const { channel } = channelOn(kernel);
    await flush();
    const [comm] = kernel.comms;
    expect(comm.commId).toBe('kernel-comm');
    expect(comm.sent).toEqual([{ type: 'request_snapshot' }]);
    comm.receive(snapshot([cpuSample(7)]));
    expect(channel.state.status).toBe('connected');
    // A reconnect while attached just asks again on the same comm.
    channel.resync();
    await flush();
    expect(kernel.comms).toHaveLength(1);
    expect(comm.sent).toHaveLength(2);
  });

  it('asks again while no snapshot comes (a lost ask), and stops once one does', async () => {
    jest.useFakeTimers();
    const kernel = new MockKernel();
    kernel.existing = { 'kernel-comm': { target_name: 'dlmagics' } };
    const { channel } = channelOn(kernel);
    await jest.advanceTimersByTimeAsync(0);
    const [comm] = kernel.comms;
    expect(comm.sent).toEqual([{ type: 'request_snapshot' }]); // this one is never answered
    await jest.advanceTimersByTimeAsync(SNAPSHOT_RETRY_MS - 100);
    expect(comm.sent).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(200);
    expect(comm.sent).toHaveLength(2); // on the same comm
    expect(kernel.comms).toHaveLength(1);
    comm.receive(snapshot([cpuSample(1)]));
    expect(channel.state.status).toBe('connected');
    await jest.advanceTimersByTimeAsync(10 * SNAPSHOT_RETRY_MS);
    expect(comm.sent).toHaveLength(2);
    jest.useRealTimers();
  });

  it('gives up asking after its retries, and a kernel change stops them', async () => {
    jest.useFakeTimers();
    const kernel = new MockKernel();
    kernel.existing = { 'kernel-comm': { target_name: 'dlmagics' } };
    const { session, channel } = channelOn(kernel);
    await jest.advanceTimersByTimeAsync((SNAPSHOT_RETRIES + 5) * SNAPSHOT_RETRY_MS);
    expect(kernel.comms[0].sent).toHaveLength(1 + SNAPSHOT_RETRIES);
    expect(channel.state.status).toBe('connecting');
    const again = new MockKernel();
    session.changeKernel(again);
    channel.dispose();
    await jest.advanceTimersByTimeAsync(10 * SNAPSHOT_RETRY_MS);
    expect(again.comms).toHaveLength(0);
    jest.useRealTimers();
  });

  it('waits for the kernel to be ready, and never asks forever', async () => {
    jest.useFakeTimers();
    const kernel = new MockKernel();
    kernel.info = new Promise(() => undefined); // a kernel that never answers
    const { channel } = channelOn(kernel);
    expect(channel.state.status).toBe('connecting');
    await jest.advanceTimersByTimeAsync(14000);
    expect(kernel.comms).toHaveLength(0); // nothing sent to a kernel not ready
    await jest.advanceTimersByTimeAsync(2000);
    expect(channel.state.status).toBe('no-channel');
    kernel.opens(snapshot([cpuSample(1)])); // a later %load_ext still connects
    expect(channel.state.status).toBe('connected');
    jest.useRealTimers();
  });

  it('a kernel change moves the target and resets', async () => {
    const first = new MockKernel();
    const { session, channel } = channelOn(first);
    await flush();
    first.opens(snapshot([cpuSample(1)]));
    const second = new MockKernel();
    session.changeKernel(second);
    expect(first.targets.has('dlmagics')).toBe(false);
    expect(second.targets.has('dlmagics')).toBe(true);
    expect(channel.state.status).toBe('connecting');
    expect(gpu(channel.state).history).toEqual([]);
  });

  it('a kernel speaking another major version is reported, not parsed', async () => {
    const kernel = new MockKernel();
    const { channel } = channelOn(kernel);
    await flush();
    kernel.opens(snapshot([cpuSample(1)]), '2.0.0');
    expect(channel.state.status).toBe('incompatible');
    expect(channel.state.message).toContain('2.0.0');
    kernel.existing = { 'kernel-comm': { target_name: 'dlmagics' } };
    await channel.resync(); // a reconnect does not undo the verdict
    expect(channel.state.status).toBe('incompatible');
    expect(kernel.comms).toHaveLength(0);
  });
});

describe('SidebarModel', () => {
  it('follows the current notebook and reports only its changes', async () => {
    const model = new SidebarModel();
    const a = new MockSessionContext(new MockKernel());
    const b = new MockSessionContext(new MockKernel());
    let changes = 0;
    model.changed.connect(() => changes++);
    const channelA = model.channelFor(a as any, () => 'a.ipynb');
    expect(model.channelFor(a as any, () => 'a.ipynb')).toBe(channelA);
    const channelB = model.channelFor(b as any, () => 'b.ipynb');
    model.setCurrent(channelA);
    expect(changes).toBe(1);
    await flush(); // a learns it has no dlmagics: shown, so a change
    expect(changes).toBe(2);
    b.session.kernel!.opens(snapshot([cpuSample(1)])); // b is not shown
    expect(changes).toBe(2);
    a.session.kernel!.opens(snapshot([cpuSample(1)]));
    expect(changes).toBe(3);
    model.setCurrent(channelB);
    expect(model.current?.label()).toBe('b.ipynb');
    b.disposed.emit();
    expect(model.current).toBeNull();
    expect(channelB.isDisposed).toBe(true);
  });

  it('tells each section only about its own changes', async () => {
    const model = new SidebarModel();
    const session = new MockSessionContext(new MockKernel());
    const counts = { gpu: 0, quizzes: 0, timeline: 0 };
    for (const section of ['gpu', 'quizzes', 'timeline'] as const) {
      model.sectionChanged(section).connect(() => counts[section]++);
    }
    const channel = model.channelFor(session as any, () => 'a.ipynb');
    model.setCurrent(channel);
    await flush();
    expect(counts).toEqual({ gpu: 2, quizzes: 2, timeline: 1 }); // shown, then "no dlmagics"
    const comm = session.session.kernel!.opens(snapshot([cpuSample(1)]));
    expect(counts).toEqual({ gpu: 3, quizzes: 3, timeline: 1 }); // connected; no timeline sent
    comm.receive({ type: 'sample', sample: cpuSample(2) });
    expect(counts).toEqual({ gpu: 4, quizzes: 3, timeline: 1 }); // a sample redraws the GPU only
    comm.receive(quiz);
    expect(counts).toEqual({ gpu: 4, quizzes: 4, timeline: 1 });
    model.setCurrent(null);
    expect(counts).toEqual({ gpu: 5, quizzes: 5, timeline: 2 }); // no notebook: all redraw
  });
});
