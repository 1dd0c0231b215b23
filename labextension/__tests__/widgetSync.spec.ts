/** A grading button waits until the widget changes sent before it have reached the kernel. */
import { Signal } from '@lumino/signaling';
import { WidgetSync } from '../widgetSync';

class FakeKernel {
  anyMessage = new Signal<this, any>(this);
  iopubMessage = new Signal<this, any>(this);
  statusChanged = new Signal<this, string>(this);
  sent = 0;

  /** The page sends a widget change (or another comm message); returns its id. */
  send(method = 'update'): string {
    const id = `m${++this.sent}`;
    const msg = { header: { msg_id: id, msg_type: 'comm_msg' }, content: { data: { method } }, parent_header: {} };
    this.anyMessage.emit({ msg, direction: 'send' });
    return id;
  }
  /** The page has handled the kernel's idle after message `id` (and `held`, a change the page
   * held back until then, is sent as part of that handling, as ipywidgets does). */
  idle(id: string, held?: () => void): void {
    const msg = { header: { msg_id: `s${id}`, msg_type: 'status' }, content: { execution_state: 'idle' }, parent_header: { msg_id: id } };
    this.anyMessage.emit({ msg, direction: 'recv' }); // on arrival: must not count as answered yet
    held?.();
    this.iopubMessage.emit(msg);
  }
}

const settledWithin = async (sync: WidgetSync, ms: number) =>
  Promise.race([sync.settled(5).then(() => true), new Promise(r => setTimeout(() => r(false), ms))]);

describe('WidgetSync', () => {
  it('counts widget updates until the kernel is idle after each', () => {
    const kernel = new FakeKernel();
    const sync = new WidgetSync(kernel as any);
    const a = kernel.send();
    kernel.send('custom'); // a button's click is not a change the page waits for
    const b = kernel.send();
    expect(sync.pending).toBe(2);
    kernel.idle(a);
    expect(sync.pending).toBe(1);
    kernel.idle(b);
    expect(sync.pending).toBe(0);
  });

  it('settles only once nothing is in flight, including a change sent after the last answer', async () => {
    const kernel = new FakeKernel();
    const sync = new WidgetSync(kernel as any);
    const first = kernel.send();
    expect(await settledWithin(sync, 40)).toBe(false);
    // The answer comes, and the page sends the change it held back: still not settled.
    let held = '';
    kernel.idle(first, () => (held = kernel.send()));
    expect(sync.pending).toBe(1);
    expect(await settledWithin(sync, 40)).toBe(false);
    kernel.idle(held);
    expect(await settledWithin(sync, 100)).toBe(true);
  });

  it('counts an answer as answering every update sent before it (the kernel takes them in order)', () => {
    const kernel = new FakeKernel();
    const sync = new WidgetSync(kernel as any);
    kernel.send(); // its answer lost, say on a reconnect
    const second = kernel.send();
    const third = kernel.send();
    kernel.idle(second);
    expect(sync.pending).toBe(1);
    kernel.idle(third);
    expect(sync.pending).toBe(0);
  });

  it('forgets what a restarted kernel owed', async () => {
    const kernel = new FakeKernel();
    const sync = new WidgetSync(kernel as any);
    kernel.send();
    kernel.statusChanged.emit('restarting');
    expect(sync.pending).toBe(0);
    expect(await settledWithin(sync, 100)).toBe(true);
  });

  it('gives up waiting after its limit', async () => {
    const kernel = new FakeKernel();
    const sync = new WidgetSync(kernel as any);
    kernel.send();
    const start = Date.now();
    await sync.settled(5, 50);
    expect(Date.now() - start).toBeGreaterThanOrEqual(45);
  });
});
