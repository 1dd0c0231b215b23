/**
 * The wire protocol with the kernel (comm target `dlmagics`).
 *
 * The shapes below mirror `dlmagics/protocol.schema.json`, the one written definition;
 * the jest tests check that every message used here validates against it.
 */

export const COMM_TARGET = 'dlmagics';
export const PROTOCOL_VERSION = '1.6.0';

/** One event of the history of deep learning (the snapshot's `timeline`). */
export interface ITimelineEvent {
  id: string;
  date: string;
  year: number;
  title: string;
  summary: string;
  source: { text: string; url: string };
  names: string[];
  demos: string[];
  quizzes: string[];
  gpus: string[];
}

const isStrings = (value: unknown): boolean =>
  Array.isArray(value) && value.every(item => typeof item === 'string');

/** Whether `value` has the shape the Timeline section relies on. */
export function isTimelineEvent(value: unknown): value is ITimelineEvent {
  const e = value as Record<string, unknown> | null;
  const source = e?.source as Record<string, unknown> | null | undefined;
  return (
    typeof e === 'object' &&
    e !== null &&
    ['id', 'date', 'title', 'summary'].every(key => typeof e[key] === 'string') &&
    typeof e.year === 'number' &&
    typeof source === 'object' &&
    source !== null &&
    typeof source.url === 'string' &&
    typeof source.text === 'string' &&
    ['names', 'demos', 'quizzes', 'gpus'].every(key => isStrings(e[key]))
  );
}

/** A GPU as the kernel sees it; null fields are "n/a" on that device. */
export interface IGpu {
  index: number;
  uuid: string;
  name: string | null;
  status: 'ok' | 'lost';
  error: string | null;
  memory_used: number | null;
  memory_total: number | null;
  utilization: number | null;
  temperature: number | null;
  power: number | null;
  power_limit: number | null;
  torch: { allocated: number; reserved: number; peak: number } | null;
}

export interface IHost {
  rss: number | null;
  cpu_percent: number | null;
  cpu_count: number | null;
  memory_total: number | null;
}

export type MonitorState = 'ok' | 'no_driver' | 'no_gpu' | 'error';

export interface ISample {
  t: number;
  state: MonitorState;
  message: string | null;
  gpus: IGpu[];
  host: IHost;
  torch: {
    status: 'not_imported' | 'cuda_idle' | 'cuda_active';
    version?: string;
  };
  cost_ms: number;
}

export interface IMonitor {
  running: boolean;
  interval_s: number;
  history_s: number;
}

export interface IKernelInfo {
  pid: number;
  python: string;
  dlmagics: string;
}

export interface ISnapshotMessage {
  type: 'snapshot';
  kernel: IKernelInfo;
  monitor: IMonitor;
  history: ISample[];
  /** Since 1.3.0: the quizzes shown in this kernel. */
  quizzes?: IQuizStatus[];
  /** Since 1.4.0: the kernel's history of deep learning, oldest first. */
  timeline?: ITimelineEvent[];
}

export interface ISampleMessage {
  type: 'sample';
  sample: ISample;
}

export interface IMonitorMessage {
  type: 'monitor';
  monitor: IMonitor;
}

/** One device's figures in a %%gpubench result (the fields the sidebar may show). */
export interface IBenchDevice {
  device: string;
  name: string;
  status: 'ok' | 'out of memory' | 'error' | 'interrupted' | 'not run';
  runs: number;
  median_s: number | null;
  ci95_s: [number, number] | null;
  flop_rate: number | null;
  byte_rate: number | null;
  peak_mem: number | null;
}

/** A %%gpubench result (schema `bench_result`), as the Runs section shows it. */
export interface IBenchResult {
  format: 'dlmagics.gpubench';
  created: string;
  devices: IBenchDevice[];
  baseline: string | null;
  speedups: { device: string; over: string; speedup: number; ci95: [number, number] }[];
  /** The cell's timed code (and its setup). */
  cell?: { timed: string; setup: string | null };
  /** One point of a sweep, or null. */
  sweep?: { name: string; value: unknown } | null;
  /** Since 1.5.0: the notebook cell that ran it, when the frontend said. */
  cell_id?: string | null;
  [key: string]: unknown;
}

export interface IBenchmarksMessage {
  type: 'benchmarks';
  results: IBenchResult[];
}

/** Where a %train_demo run stands. */
export interface ITrainingRun {
  demo: string;
  title: string;
  year: string;
  status: 'running' | 'finished' | 'stopped' | 'interrupted' | 'failed';
  step: number;
  steps: number;
  lr: number;
  elapsed_s: number;
  /** Since 1.5.0: seconds left at the pace so far (null before the first step, and once done). */
  left_s?: number | null;
  contenders: {
    name: string;
    loss: number | null;
    test_accuracy?: number | null;
  }[];
  command: string;
  lesson: { holds: boolean; measured: string } | null;
}

export interface ITrainingMessage {
  type: 'training';
  run: ITrainingRun;
}

/** One quiz's progress: counts only; the key never leaves the kernel. */
export interface IQuizStatus {
  id: string;
  title: string;
  answered: number;
  total: number;
  correct: number;
  points: number;
  max_points: number;
  /** 0..1 */
  score: number;
  submissions: number;
  mode?: 'practice' | 'mastery' | 'exam';
  /** The cell that showed the quiz, when the frontend sent its id. */
  cell_id?: string | null;
}

export interface IQuizMessage {
  type: 'quiz';
  quiz: IQuizStatus;
}

export type KernelMessage =
  | ISnapshotMessage
  | ISampleMessage
  | IMonitorMessage
  | IBenchmarksMessage
  | ITrainingMessage
  | IQuizMessage;

export interface IRequestSnapshot {
  type: 'request_snapshot';
}

/** Since 1.5.0: stop the demo training now (its history is kept), as its Stop button. */
export interface IStopTraining {
  type: 'stop_training';
}

export const STOP_TRAINING: IStopTraining = { type: 'stop_training' };

export const REQUEST_SNAPSHOT: IRequestSnapshot = { type: 'request_snapshot' };

/** Whether comm_open metadata names a protocol with our major version. */
export function isCompatible(metadata: unknown): boolean {
  const version =
    metadata && typeof metadata === 'object'
      ? (metadata as { version?: unknown }).version
      : undefined;
  return (
    typeof version === 'string' &&
    version.split('.')[0] === PROTOCOL_VERSION.split('.')[0]
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSample(value: unknown): value is ISample {
  return (
    isObject(value) &&
    typeof value.t === 'number' &&
    typeof value.state === 'string' &&
    Array.isArray(value.gpus) &&
    value.gpus.every(isObject) &&
    isObject(value.host) &&
    isObject(value.torch)
  );
}

function isQuizStatus(value: unknown): value is IQuizStatus {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.title === 'string' &&
    ['answered', 'total', 'correct', 'score'].every(
      key => typeof value[key] === 'number'
    )
  );
}

function isMonitor(value: unknown): value is IMonitor {
  return (
    isObject(value) &&
    typeof value.running === 'boolean' &&
    typeof value.interval_s === 'number' &&
    value.interval_s > 0
  );
}

/**
 * A kernel message if `data` has the shape the view relies on, else null.
 *
 * The check is structural and cheap: enough that a malformed message can never throw
 * inside the view. The schema tests guard the details.
 */
export function parseKernelMessage(data: unknown): KernelMessage | null {
  if (!isObject(data)) {
    return null;
  }
  switch (data.type) {
    case 'snapshot':
      return isObject(data.kernel) &&
        typeof data.kernel.pid === 'number' &&
        isMonitor(data.monitor) &&
        Array.isArray(data.history) &&
        data.history.every(isSample) &&
        (data.quizzes === undefined ||
          (Array.isArray(data.quizzes) && data.quizzes.every(isQuizStatus))) &&
        (data.timeline === undefined ||
          (Array.isArray(data.timeline) && data.timeline.every(isTimelineEvent)))
        ? (data as unknown as ISnapshotMessage)
        : null;
    case 'sample':
      return isSample(data.sample) ? (data as unknown as ISampleMessage) : null;
    case 'monitor':
      return isMonitor(data.monitor)
        ? (data as unknown as IMonitorMessage)
        : null;
    case 'benchmarks':
      return Array.isArray(data.results) &&
        data.results.length > 0 &&
        data.results.every(r => isObject(r) && Array.isArray(r.devices))
        ? (data as unknown as IBenchmarksMessage)
        : null;
    case 'training':
      return isObject(data.run) &&
        typeof data.run.demo === 'string' &&
        typeof data.run.step === 'number' &&
        typeof data.run.steps === 'number' &&
        Array.isArray(data.run.contenders)
        ? (data as unknown as ITrainingMessage)
        : null;
    case 'quiz':
      return isQuizStatus(data.quiz) ? (data as unknown as IQuizMessage) : null;
    default:
      return null;
  }
}
