/** The messages this side uses are the ones the schema (shared with Python) defines. */
import Ajv2020 from 'ajv/dist/2020';
import schema from '../../dlmagics/protocol.schema.json';
import {
  COMM_TARGET,
  PROTOCOL_VERSION,
  REQUEST_SNAPSHOT,
  STOP_TRAINING,
  isCompatible,
  parseKernelMessage
} from '../protocol';
import { sections } from '../sections';
import { initialState, partOf, reduce } from '../model';
import { gpuSection } from '../gpu';
import { runsSection } from '../runs';
import { cpuSample, gpuSample, snapshot } from './fixtures';
// A real message from the kernel (a CPU and a fake GPU), written by Python.
import benchmarks from './benchmarks.json';
import training from './training.json';
// A %%train run's message (protocol 1.8.0: its findings), written by Python: own_frames.run_state
// of a learner's loop over the digits with optimizer.zero_grad() left out.
import owntrain from './owntrain.json';
// A %%ddp cell's rows (1.11.0: stop 'interrupt', lr null), written by Python: ddp/row.py.
import ddp from './ddp.json';
import quiz from './quiz.json';
import quizAnswers from './quiz_answers.json';
import { quizAnswersReader } from '../answerCells';
// The sidebar's built-in events, written by `python -m dlmagics.timeline`.
import events from '../events.json';

const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
ajv.addKeyword('version');
ajv.addSchema(schema);
const validator = (def: string) => {
  const validate = ajv.getSchema(`${schema.$id}#/$defs/${def}`);
  if (!validate) {
    throw new Error(`no $def ${def}`);
  }
  return (data: unknown) => {
    const ok = validate(data);
    return ok ? 'valid' : ajv.errorsText(validate.errors);
  };
};
const kernelMessage = validator('kernel_message');
const frontendMessage = validator('frontend_message');

const FIXTURES = {
  'snapshot, CPU only': snapshot([cpuSample(1), cpuSample(2)]),
  'snapshot, empty history': snapshot([], false),
  'sample with a GPU': { type: 'sample', sample: gpuSample(3) },
  'sample, lost GPU': {
    type: 'sample',
    sample: {
      ...gpuSample(4),
      gpus: [
        {
          ...gpuSample(4).gpus[0],
          status: 'lost',
          error: 'GPU 0 stopped answering (GPU is lost)',
          memory_used: null,
          utilization: null,
          torch: null
        }
      ]
    }
  },
  monitor: {
    type: 'monitor',
    monitor: { running: false, interval_s: 0.5, history_s: 900 }
  },
  'benchmarks from %%gpubench': benchmarks,
  'a finished %train_demo run': training,
  'a %%train run with the doctor\'s findings (1.8.0)': owntrain,
  'a %%ddp cell running, its Stop an interrupt (1.11.0)': ddp.running,
  'a %%ddp cell finished (1.11.0)': ddp.finished,
  'a quiz answered in %dlquiz': quiz,
  'snapshot with quizzes': { ...snapshot([]), quizzes: [quiz.quiz] },
  'snapshot with the timeline': { ...snapshot([]), timeline: events },
  'snapshot with the runs (1.6.0)': {
    ...snapshot([]),
    benchmarks: benchmarks.results,
    training: { ...training.run, status: 'running', step: 40, left_s: 11.4, lesson: null }
  }
};

describe('protocol', () => {
  it('names the same target and version as the Python side', () => {
    expect(COMM_TARGET).toBe('dlmagics');
    expect(PROTOCOL_VERSION).toBe(schema.version);
  });

  it.each(Object.entries(FIXTURES))(
    'fixture "%s" is a valid kernel message and parses',
    (_, message) => {
      expect(kernelMessage(message)).toBe('valid');
      expect(parseKernelMessage(message, sections)).toEqual(message);
    }
  );

  it("a quiz's answer-cell text (1.10.0) is a valid kernel message and parses; no section takes it", () => {
    expect(kernelMessage(quizAnswers)).toBe('valid');
    expect(quizAnswersReader.parse(quizAnswers)).toEqual(quizAnswers);
    expect(parseKernelMessage(quizAnswers, sections)).toBeNull();
    expect(kernelMessage({ ...quizAnswers, score: 1 })).not.toBe('valid');
  });

  it('sends only valid frontend messages', () => {
    expect(frontendMessage(REQUEST_SNAPSHOT)).toBe('valid');
    expect(frontendMessage(STOP_TRAINING)).toBe('valid');
    expect(frontendMessage({ type: 'request_snapshot', x: 1 })).not.toBe(
      'valid'
    );
  });

  it.each([
    ['not an object', 'snapshot'],
    ['null', null],
    ['an array', [1, 2]],
    ['unknown type', { type: 'explode' }],
    ['sample without fields', { type: 'sample', sample: {} }],
    ['sample with gpus not a list', { type: 'sample', sample: { ...cpuSample(1), gpus: 3 } }],
    ['snapshot without kernel', { ...snapshot([]), kernel: undefined }],
    ['monitor with zero interval', { type: 'monitor', monitor: { running: true, interval_s: 0, history_s: 1 } }],
    [
      'benchmarks whose speedup has no figure',
      { type: 'benchmarks', results: [{ ...benchmarks.results[0], speedups: [{ device: 'cuda:0', over: 'cpu', ci95: null }] }] }
    ],
    ['training whose words are not words', { type: 'training', run: { ...training.run, words: 7 } }],
    ['%%train whose findings are not a list', { type: 'training', run: { ...owntrain.run, findings: 'bad loss' } }],
    ['%%train whose findings are not lines', { type: 'training', run: { ...owntrain.run, findings: ['ok', 3] } }],
    ['%%ddp whose stop is not words', { type: 'training', run: { ...ddp.running.run, stop: 1 } }],
    [
      'benchmarks whose words are not words',
      { type: 'benchmarks', results: [{ ...benchmarks.results[0], speedups: [{ ...benchmarks.results[0].speedups[0], words: 31 }] }] }
    ]
  ])('rejects a malformed message: %s', (_, data) => {
    expect(parseKernelMessage(data, sections)).toBeNull();
    expect(kernelMessage(data)).not.toBe('valid');
  });

  it.each([
    ['a run without contenders', { ...snapshot([]), training: { ...training.run, contenders: undefined } }],
    ['results not a list', { ...snapshot([]), benchmarks: benchmarks.results[0] }]
  ])('a snapshot with %s: the Runs share is left out, the rest is read', (_, data) => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(kernelMessage(data)).not.toBe('valid');
    const before = reduce(initialState('connecting'), snapshot([]));
    const after = reduce(before, parseKernelMessage({ ...data, history: [cpuSample(4)] }, sections)!);
    expect(partOf(after, runsSection)).toBe(partOf(before, runsSection));
    expect(partOf(after, gpuSection).history.map(s => s.t)).toEqual([4]);
    expect(console.warn).toHaveBeenCalledTimes(1);
    jest.restoreAllMocks();
  });

  it('accepts the same major version only', () => {
    expect(isCompatible({ version: '1.4.2' })).toBe(true);
    expect(isCompatible({ version: '2.0.0' })).toBe(false);
    expect(isCompatible({})).toBe(false);
    expect(isCompatible(null)).toBe(false);
  });
});
