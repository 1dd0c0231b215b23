/** A reopened notebook: our widgets draw only while their model lives in the kernel, and the
 * static copies follow the kernel's updates sent after their cell ran. */
import { Signal } from '@lumino/signaling';
import { COPY_KEY, LiveModels, updateCopies } from '../savedOutputs';

class FakeKernel {
  anyMessage = new Signal<this, any>(this);
  statusChanged = new Signal<this, string>(this);
  comms: { [id: string]: { target_name: string } } = {};
  asked = 0;

  async requestCommInfo(content: { target_name?: string }): Promise<any> {
    this.asked++;
    expect(content.target_name).toBe('jupyter.widget');
    return { content: { status: 'ok', comms: this.comms } };
  }
  receive(msg_type: string, content: object): void {
    this.anyMessage.emit({ msg: { header: { msg_type }, content }, direction: 'recv' });
  }
}

describe('LiveModels', () => {
  it('knows the widgets opened while it watched, without asking the kernel', async () => {
    const kernel = new FakeKernel();
    const models = new LiveModels(kernel as any);
    kernel.receive('comm_open', { comm_id: 'w1', target_name: 'jupyter.widget' });
    kernel.receive('comm_open', { comm_id: 'c1', target_name: 'dlmagics' }); // not a widget
    expect(await models.has('w1')).toBe(true);
    expect(kernel.asked).toBe(0);
    kernel.receive('comm_close', { comm_id: 'w1' });
    expect(await models.has('w1')).toBe(false); // closed: asked, and the kernel has none
    expect(kernel.asked).toBe(1);
  });

  it('asks the kernel about a model from before (a page reloaded while its kernel ran on)', async () => {
    const kernel = new FakeKernel();
    kernel.comms = { old: { target_name: 'jupyter.widget' } };
    const models = new LiveModels(kernel as any);
    expect(await models.has('old')).toBe(true);
    expect(await models.has('saved-by-another-kernel')).toBe(false);
  });

  it('forgets what a restarted kernel held', async () => {
    const kernel = new FakeKernel();
    const models = new LiveModels(kernel as any);
    kernel.receive('comm_open', { comm_id: 'w1', target_name: 'jupyter.widget' });
    kernel.statusChanged.emit('restarting');
    expect(await models.has('w1')).toBe(false);
  });

  it('says no when the kernel cannot answer', async () => {
    const kernel = new FakeKernel();
    kernel.requestCommInfo = () => Promise.reject(new Error('Kernel is dead'));
    expect(await new LiveModels(kernel as any).has('w1')).toBe(false);
  });
});

class FakeOutputs {
  constructor(public items: { metadata: any; data: any }[]) {}
  get length() {
    return this.items.length;
  }
  get(i: number) {
    return this.items[i];
  }
  set(i: number, output: any) {
    this.items[i] = output;
  }
}

const update = (id: string, text: string, metadata: any = { [COPY_KEY]: id }) => ({
  header: { msg_type: 'update_display_data' },
  content: { data: { 'text/plain': text }, metadata, transient: { display_id: id } }
});

describe('updateCopies', () => {
  it('replaces every output holding the copy, in every cell, and nothing else', () => {
    const widget = { metadata: {}, data: { 'text/plain': 'the widget' } };
    const cellA = new FakeOutputs([widget, { metadata: { [COPY_KEY]: 'd1' }, data: { 'text/plain': 'score 0%' } }]);
    const cellB = new FakeOutputs([{ metadata: { [COPY_KEY]: 'd2' }, data: { 'text/plain': 'other quiz' } }]);
    expect(updateCopies(update('d1', 'score 12%') as any, () => [cellA, cellB] as any)).toBe(1);
    expect(cellA.items[1]).toEqual({ output_type: 'display_data', data: { 'text/plain': 'score 12%' }, metadata: { [COPY_KEY]: 'd1' } });
    expect(cellA.items[0]).toBe(widget);
    expect(cellB.items[0].data['text/plain']).toBe('other quiz');
  });

  it("leaves others' updates and other messages to JupyterLab", () => {
    const cell = new FakeOutputs([{ metadata: { [COPY_KEY]: 'd1' }, data: {} }]);
    let listed = 0;
    const outputs = () => (listed++, [cell] as any);
    expect(updateCopies(update('d1', 'x', {}) as any, outputs)).toBe(0); // an update without our mark
    expect(updateCopies({ header: { msg_type: 'stream' }, content: {} } as any, outputs)).toBe(0);
    expect(listed).toBe(0); // no cell looked at for a message that is not ours
  });
});
