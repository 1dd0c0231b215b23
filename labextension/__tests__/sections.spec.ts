/** The section registry: a whole section registered from outside (a fixture), its message
 * through the model to its part and its view; unknown messages ignored and logged. */
import Ajv2020 from 'ajv/dist/2020';
import schema from '../../dlmagics/protocol.schema.json';
import { gpuSection } from '../gpu';
import { SidebarModel, partOf } from '../model';
import { parseKernelMessage } from '../protocol';
import { quizzesSection } from '../quizzes';
import { AnySection, SectionRegistry, sections } from '../sections';
import { timelineSection } from '../timelineSection';
import { HELLO_SCHEMA, helloSection } from './hello';
import { cpuSample, snapshot } from './fixtures';
import { MockKernel, MockSessionContext, flush } from './mocks';
import quiz from './quiz.json';
import { render, stubHost } from './render';

// Any kernel message: the protocol's, or the fixture's own.
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
ajv.addKeyword('version');
ajv.addSchema(schema);
ajv.addSchema(HELLO_SCHEMA);
const validate = ajv.compile({
  oneOf: [
    { $ref: `${schema.$id}#/$defs/kernel_message` },
    { $ref: `${HELLO_SCHEMA.$id}#/$defs/hello_message` }
  ]
});

const HELLO = { type: 'hello', greeting: 'Hello, Ada!' };

/** A model following one notebook whose kernel has run %load_ext dlmagics. */
async function connected(model: SidebarModel) {
  const session = new MockSessionContext(new MockKernel());
  const channel = model.channelFor(session as any, () => 'hello.ipynb');
  model.setCurrent(channel);
  await flush();
  const comm = session.session.kernel!.opens(snapshot([cpuSample(1)]));
  return { channel, comm };
}

/** How often each section was told it changed. */
function countChanges(model: SidebarModel, ids: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) {
    counts[id] = 0;
    model.sectionChanged(id).connect(() => counts[id]++);
  }
  return counts;
}

describe('a section registered from outside', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('unregistered, its messages are ignored and logged, never fatal', async () => {
    const { channel, comm } = await connected(new SidebarModel());
    const before = channel.state;
    comm.receive(HELLO);
    expect(channel.state).toBe(before);
    expect(console.warn).toHaveBeenCalledTimes(1);
    expect(parseKernelMessage(HELLO, sections)).toBeNull();
    comm.receive({ type: 'sample', sample: cpuSample(2) }); // the channel goes on
    expect(partOf(channel.state, gpuSection).history).toHaveLength(2);
  });

  describe('registered', () => {
    let unregister: () => void = () => undefined;
    beforeEach(() => {
      unregister = sections.register(helloSection);
    });
    afterEach(() => unregister());

    it('its message is valid against its own schema entry, and parsed by its own parse', () => {
      expect(validate(HELLO)).toBe(true);
      expect(validate(quiz)).toBe(true); // the protocol's messages still are
      expect(parseKernelMessage(HELLO, sections)).toEqual(HELLO);
      for (const bad of [{ type: 'hello' }, { type: 'hello', greeting: 7 }, { type: 'hello', name: 'Ada' }]) {
        expect(validate(bad)).toBe(false);
        expect(parseKernelMessage(bad, sections)).toBeNull();
      }
    });

    it('takes its place among the sections: after the Runs, the Timeline last', () => {
      expect(sections.all.map(s => s.id)).toEqual(['gpu', 'quizzes', 'runs', 'hello', 'timeline']);
      expect(sections.forType('hello')).toBe(helloSection);
    });

    it('a hello message reaches its part through the model, and its view shows it', async () => {
      const model = new SidebarModel();
      const { channel, comm } = await connected(model);
      const counts = countChanges(model, ['hello', 'gpu', 'quizzes']);
      expect(partOf(channel.state, helloSection)).toEqual({ greeted: [], greeting: null });
      expect(render(helloSection, channel.state)).toContain('Nobody greeted in a.ipynb yet.');
      comm.receive({ type: 'hello', greeting: 'Hello, Grace!' });
      comm.receive(HELLO);
      comm.receive(HELLO); // said again: nothing changes
      expect(partOf(channel.state, helloSection)).toEqual({ greeted: [], greeting: 'Hello, Ada!' });
      expect(counts).toEqual({ hello: 2, gpu: 0, quizzes: 0 }); // only its own section redraws
      expect(render(helloSection, channel.state)).toBe(
        '<div class="hello" data-greeted="0"><p class="hello-greeting">Hello, Ada!</p></div>'
      );
      // The other sections go on as before.
      comm.receive(quiz);
      expect(partOf(channel.state, quizzesSection)).toHaveLength(1);
      expect(counts).toEqual({ hello: 2, gpu: 0, quizzes: 1 });
      // A malformed hello, or a type nobody registered, is ignored and logged.
      const before = channel.state;
      comm.receive({ type: 'hello', greeting: null });
      comm.receive({ type: 'goodbye', greeting: 'Bye, Ada!' });
      expect(channel.state).toBe(before);
      expect(console.warn).toHaveBeenCalledTimes(2);
    });

    it('a snapshot brings its part back after a reload; a kernel without it keeps what was there', async () => {
      const { channel, comm } = await connected(new SidebarModel());
      // The kernel's snapshot as tests/test_wings.py sees it: the wing's part under its name.
      comm.receive({ ...snapshot([]), hello: { greeted: ['Ada', 'Alan'] } });
      expect(partOf(channel.state, helloSection).greeted).toEqual(['Ada', 'Alan']);
      expect(render(helloSection, channel.state)).toContain('<ul><li>Ada</li><li>Alan</li></ul>');
      const part = partOf(channel.state, helloSection);
      comm.receive(snapshot([]));
      expect(partOf(channel.state, helloSection)).toBe(part);
      // Its share malformed: left out (it keeps what it had), the rest of the snapshot is read.
      comm.receive({ ...snapshot([cpuSample(3)]), hello: { greeted: [3] } });
      expect(partOf(channel.state, helloSection)).toBe(part);
      expect(partOf(channel.state, gpuSection).history.map(s => s.t)).toEqual([3]);
      expect(console.warn).toHaveBeenCalledTimes(1);
    });

    it('a restart forgets its part, as every section\'s', async () => {
      const model = new SidebarModel();
      const session = new MockSessionContext(new MockKernel());
      const channel = model.channelFor(session as any, () => 'hello.ipynb');
      await flush();
      session.session.kernel!.opens(snapshot([])).receive(HELLO);
      expect(partOf(channel.state, helloSection).greeting).toBe('Hello, Ada!');
      session.statusChanged.emit('restarting');
      expect(partOf(channel.state, helloSection)).toBe(helloSection.initial);
    });
  });
});

describe('the registry', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('refuses a second section of an id, or a message type another section takes', () => {
    const registry = new SectionRegistry(sections);
    expect(() => registry.register({ ...helloSection, id: 'gpu' })).toThrow(/'gpu' is registered already/);
    expect(() => registry.register({ ...helloSection, types: ['sample'] })).toThrow(/'sample' messages belong to gpu/);
    expect(() => registry.register({ ...helloSection, types: ['snapshot'] })).toThrow(/every section/);
    expect(registry.all.map(s => s.id)).toEqual(['gpu', 'quizzes', 'runs', 'timeline']);
  });

  it('a model of its own registry leaves the sidebar\'s alone', async () => {
    const registry = new SectionRegistry([...sections, helloSection]);
    const { channel, comm } = await connected(new SidebarModel(registry));
    comm.receive(HELLO);
    expect(partOf(channel.state, helloSection).greeting).toBe('Hello, Ada!');
    expect(sections.get('hello')).toBeUndefined();
  });

  it('a section that fails on its message is logged; the channel goes on', async () => {
    const broken: AnySection = {
      ...helloSection,
      reduce: () => {
        throw new Error('a bug in a third-party section');
      }
    };
    const failing: AnySection = {
      ...helloSection,
      id: 'failing',
      types: ['failing'],
      parse: () => {
        throw new Error('a bug in its parse');
      }
    };
    const registry = new SectionRegistry([...sections, broken, failing]);
    const { channel, comm } = await connected(new SidebarModel(registry));
    const before = channel.state;
    comm.receive(HELLO);
    comm.receive({ type: 'failing' });
    expect(channel.state).toBe(before);
    expect(console.warn).toHaveBeenCalledTimes(3); // the reduce; the parse, then its message ignored
    // A snapshot check that throws leaves its share out, as a malformed share is: logged,
    // nothing thrown into the page, every other section read.
    const fragile = new SectionRegistry([
      ...sections.all.filter(s => s.id !== 'timeline'),
      {
        ...timelineSection,
        checkSnapshot: () => {
          throw new Error('a bug in its snapshot check');
        }
      }
    ]);
    const warned = (console.warn as jest.Mock).mock.calls.length;
    const second = await connected(new SidebarModel(fragile));
    expect(second.channel.state.status).toBe('connected');
    expect(partOf(second.channel.state, gpuSection).history).toHaveLength(1);
    expect((console.warn as jest.Mock).mock.calls.length).toBe(warned + 1); // the check
    comm.receive({ type: 'sample', sample: cpuSample(2) });
    expect(partOf(channel.state, gpuSection).history).toHaveLength(2);
  });

  it('with no notebook open, a view gets its initial part and no status', () => {
    expect(render(helloSection, null, stubHost(null))).toContain('Nobody greeted in a notebook yet.');
    expect(render(gpuSection, null, stubHost(null))).toContain('data-status="no-notebook"');
  });
});
