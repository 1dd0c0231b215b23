/** Stand-ins for a notebook's session context, kernel connection and comms. */
import { Signal } from '@lumino/signaling';

export class MockComm {
  constructor(
    readonly targetName: string,
    readonly commId: string
  ) {}
  onMsg: (msg: any) => void = () => undefined;
  onClose: (msg: any) => void = () => undefined;
  sent: unknown[] = [];
  isDisposed = false;
  closedByUs = false;

  send(data: unknown): void {
    this.sent.push(data);
  }
  open(): void {
    throw new Error('the sidebar must never open a comm itself');
  }
  close(): void {
    this.closedByUs = true;
    this.isDisposed = true;
  }
  dispose(): void {
    this.isDisposed = true;
  }

  /** The kernel sends `data` on this comm. */
  receive(data: unknown): void {
    this.onMsg({ content: { comm_id: this.commId, data } });
  }
  /** The kernel closes this comm. */
  kernelCloses(): void {
    this.onClose({ content: { comm_id: this.commId, data: {} } });
  }
}

export class MockKernel {
  connectionStatus = 'connected';
  info: Promise<unknown> = Promise.resolve({});
  targets = new Map<string, (comm: any, msg: any) => void>();
  comms: MockComm[] = [];
  /** What comm_info_request answers: comm id -> target. */
  existing: Record<string, { target_name: string }> = {};
  private _next = 0;

  registerCommTarget(name: string, cb: (comm: any, msg: any) => void): void {
    this.targets.set(name, cb);
  }
  removeCommTarget(name: string, cb: unknown): void {
    if (this.targets.get(name) === cb) {
      this.targets.delete(name);
    }
  }
  async requestCommInfo(content: { target_name: string }): Promise<any> {
    return { content: { status: 'ok', comms: { ...this.existing } } };
  }
  /** How many times the kernel was interrupted. */
  interrupts = 0;
  async interrupt(): Promise<void> {
    this.interrupts += 1;
  }
  hasComm(id: string): boolean {
    return this.comms.some(c => c.commId === id && !c.isDisposed);
  }
  createComm(target: string, id?: string): MockComm {
    const comm = new MockComm(target, id ?? `frontend-${this._next++}`);
    this.comms.push(comm);
    return comm;
  }

  /** The kernel runs `%load_ext dlmagics`: it opens a comm on the target. */
  opens(data: unknown, version = '1.0.0', id = 'kernel-comm'): MockComm {
    const comm = new MockComm('dlmagics', id);
    this.targets.get('dlmagics')!(comm, {
      content: { comm_id: id, target_name: 'dlmagics', data },
      metadata: { version }
    });
    return comm;
  }
}

export class MockSessionContext {
  constructor(kernel: MockKernel | null) {
    this.session = { kernel };
  }
  session: { kernel: MockKernel | null };
  kernelChanged = new Signal<this, any>(this);
  statusChanged = new Signal<this, string>(this);
  connectionStatusChanged = new Signal<this, string>(this);
  disposed = new Signal<this, void>(this);
  isDisposed = false;

  changeKernel(kernel: MockKernel | null): void {
    const oldValue = this.session.kernel;
    this.session = { kernel };
    this.kernelChanged.emit({ name: 'kernel', oldValue, newValue: kernel });
  }
}

/** Let pending promise callbacks (the comm_info round trip) run. */
export const flush = () => new Promise(resolve => setTimeout(resolve, 0));
