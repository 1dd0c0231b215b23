/**
 * The wire protocol with the kernel (comm target `dlmagics`).
 *
 * The shapes below mirror `dlmagics/protocol.schema.json`, the one written definition;
 * the jest tests check that every message used here validates against it.
 */

export const COMM_TARGET = 'dlmagics';
export const PROTOCOL_VERSION = '1.11.0';

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
  /** Since 1.6.0: the latest %%gpubench results, oldest first (absent before any). */
  benchmarks?: IBenchResult[];
  /** Since 1.6.0: the latest %train_demo run, running or done (absent before any). */
  training?: ITrainingRun;
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

/** One device's speedup over the baseline, with its 95% interval (null: not known). */
export interface ISpeedup {
  device: string;
  over: string;
  speedup: number;
  ci95: [number, number] | null;
  /** Since 1.6.0: the speedup as the kernel's report says it, e.g. '1.02x [0.97, 1.07], no
   * clear difference'. The sidebar shows these words and makes none of its own. */
  words?: string;
}

/** A %%gpubench result (schema `bench_result`), as the Runs section shows it. */
export interface IBenchResult {
  format: 'dlmagics.gpubench';
  created: string;
  devices: IBenchDevice[];
  baseline: string | null;
  speedups: ISpeedup[];
  /** The cell's timed code (and its setup). */
  cell?: { timed: string; setup: string | null };
  /** One point of a sweep, or null. */
  sweep?: { name: string; value: unknown } | null;
  /** Since 1.5.0: the notebook cell that ran it, when the frontend said. */
  cell_id?: string | null;
  /** Since 1.9.0: what else used the machine during the timed runs. `mark`: the neighbours
   * that changed the times, short, with their figures ('other processes used 1.7 of the 2
   * cores'), null when none was named; `words`: the report's lines. Made in the kernel: the
   * Runs row shows them as they are. */
  contention?: { mark: string | null; words: string | null; [key: string]: unknown } | null;
  [key: string]: unknown;
}

export interface IBenchmarksMessage {
  type: 'benchmarks';
  results: IBenchResult[];
}

/** Where a %train_demo run, a %%train cell or (since 1.11.0) a %%ddp cell stands. */
export interface ITrainingRun {
  demo: string;
  title: string;
  year: string;
  status: 'running' | 'finished' | 'stopped' | 'interrupted' | 'failed';
  step: number;
  steps: number;
  /** Since 1.11.0 null: the run has no one learning rate (a %%ddp cell). */
  lr: number | null;
  elapsed_s: number;
  /** Since 1.5.0: seconds left at the pace so far (null before the first step, and once done). */
  left_s?: number | null;
  /** Since 1.7.0: where the run stands as its cell says it ("paused: step 1,200 of 5,000,
   * about 2.4 min left"); the sidebar shows these words. */
  words?: string;
  contenders: {
    name: string;
    loss: number | null;
    test_accuracy?: number | null;
  }[];
  command: string;
  /** Since 1.11.0: what the sidebar's Stop does. 'message' (or absent): it sends
   * stop_training, read by the kernel while the run trains in the background. 'interrupt': it
   * interrupts the kernel (a run in the foreground, a %%ddp cell, keeps the kernel from reading
   * any message until it ends; the interrupt ends every rank). */
  stop?: 'message' | 'interrupt';
  lesson: { holds: boolean; measured: string } | null;
  /** Since 1.8.0, a %%train run's only (its demo is '%%train', its year ''): the training
   * doctor's findings so far, each a line made in the kernel (what is wrong, the evidence,
   * the fix); the sidebar shows these lines. */
  findings?: string[];
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

/** Any message from the kernel: its `type` says which sidebar section takes it. */
export interface IKernelMessage {
  type: string;
}

/** The messages the built-in sections take, and the snapshot. */
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` is an array whose every item passes `check`. */
export function isArrayOf<T>(value: unknown, check: (item: unknown) => item is T): value is T[] {
  return Array.isArray(value) && value.every(item => check(item));
}

export function isSample(value: unknown): value is ISample {
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

export function isQuizStatus(value: unknown): value is IQuizStatus {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.title === 'string' &&
    ['answered', 'total', 'correct', 'score'].every(
      key => typeof value[key] === 'number'
    )
  );
}

export function isMonitor(value: unknown): value is IMonitor {
  return (
    isObject(value) &&
    typeof value.running === 'boolean' &&
    typeof value.interval_s === 'number' &&
    value.interval_s > 0
  );
}

const isNumber = (value: unknown): value is number => typeof value === 'number';

export function isSpeedup(value: unknown): value is ISpeedup {
  return (
    isObject(value) &&
    typeof value.device === 'string' &&
    typeof value.over === 'string' &&
    typeof value.speedup === 'number' &&
    (value.ci95 === null || (isArrayOf(value.ci95, isNumber) && value.ci95.length === 2)) &&
    (value.words === undefined || typeof value.words === 'string')
  );
}

export function isBenchResult(value: unknown): value is IBenchResult {
  return (
    isObject(value) &&
    isArrayOf(value.devices, isObject) &&
    isArrayOf(value.speedups, isSpeedup) &&
    (value.contention === undefined || value.contention === null || isContention(value.contention))
  );
}

function isContention(value: unknown): boolean {
  const text = (v: unknown) => v === null || typeof v === 'string'; // shown as it is
  return isObject(value) && text(value.mark) && text(value.words);
}

export function isTrainingRun(value: unknown): value is ITrainingRun {
  return (
    isObject(value) &&
    typeof value.demo === 'string' &&
    typeof value.step === 'number' &&
    typeof value.steps === 'number' &&
    Array.isArray(value.contenders) &&
    (value.words === undefined || typeof value.words === 'string') && // shown as it is
    (value.stop === undefined || typeof value.stop === 'string') && // only 'interrupt' is not a message
    (value.findings === undefined || isStrings(value.findings))
  );
}

/**
 * What reads some types of kernel message: a sidebar section (see sections.ts). Each
 * message type has one reader.
 */
export interface IMessageReader {
  /** The message types it takes. */
  readonly types: readonly string[];
  /** One of its messages if `data` has the shape it relies on, else null. It should never
   * throw; one that does is logged, and the message ignored. */
  parse(data: Record<string, unknown>): IKernelMessage | null;
  /** Whether what a snapshot carries for it is well formed (absent is fine: an older
   * kernel). A share it refuses is left out (the section keeps what it had); the rest of
   * the snapshot is read, as one wing's fault on the kernel side costs no other section. */
  checkSnapshot?(snapshot: Record<string, unknown>): boolean;
}

/**
 * A kernel message if `data` has the shape the view relies on, else null (a malformed
 * message, or a type that no reader takes).
 *
 * The snapshot's own fields are checked here; each reader checks its messages, and its
 * share of a snapshot when the snapshot is reduced (model.ts). The check is structural and cheap: enough that a malformed
 * message can never throw inside the view. The schema tests guard the details.
 */
export function parseKernelMessage(
  data: unknown,
  readers: Iterable<IMessageReader>
): IKernelMessage | null {
  if (!isObject(data) || typeof data.type !== 'string') {
    return null;
  }
  const type = data.type;
  try {
    return parseTyped(data, type, Array.from(readers));
  } catch (reason) {
    console.warn(`dlmagics: reading a '${type}' message failed`, reason);
    return null;
  }
}

function parseTyped(
  data: Record<string, unknown>,
  type: string,
  readers: IMessageReader[]
): IKernelMessage | null {
  if (type === 'snapshot') {
    return isObject(data.kernel) &&
      typeof data.kernel.pid === 'number' &&
      isMonitor(data.monitor) &&
      isArrayOf(data.history, isSample)
      ? (data as unknown as ISnapshotMessage)
      : null;
  }
  const reader = readers.find(r => r.types.includes(type));
  return reader ? reader.parse(data) : null;
}
