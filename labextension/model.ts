/**
 * The sidebar's state, per notebook kernel, with no DOM: what the kernel said, reduced.
 *
 * `KernelChannel` owns the comm to one notebook's kernel through that notebook's own
 * kernel connection (never a second one), resets on restart and kernel change, and
 * rebuilds itself from a kernel snapshot after a reload. What the kernel says is reduced
 * by the sidebar's sections (sections.ts), each keeping its own part of the state.
 * `SidebarModel` follows the active notebook. A `quiz_answers` message is for the notebook
 * itself, not the sidebar: the channel hands it on (`quizAnswers`) and keeps no state of it.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage as KM } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';
import { IQuizAnswersMessage, quizAnswersReader } from './answerCells';
import {
  COMM_TARGET,
  IKernelMessage,
  KernelMessage,
  PROTOCOL_VERSION,
  REQUEST_SNAPSHOT,
  STOP_TRAINING,
  isCompatible,
  parseKernelMessage
} from './protocol';
import {
  AnySection,
  ISection,
  ISectionHost,
  ISectionProps,
  SectionRegistry,
  SnapshotData,
  sections as builtIn
} from './sections';

/**
 * Where the sidebar stands with a kernel.
 * - `no-kernel`: the notebook has no kernel.
 * - `connecting`: asking the kernel whether dlmagics is loaded.
 * - `no-channel`: the kernel answered; dlmagics is not loaded there.
 * - `restarting`: the kernel is restarting; everything it said is gone.
 * - `connected`: the channel is open; the sections' parts are live.
 * - `incompatible`: the kernel speaks another protocol major version.
 */
export type ChannelStatus =
  | 'no-kernel'
  | 'connecting'
  | 'no-channel'
  | 'restarting'
  | 'connected'
  | 'incompatible';

export interface IKernelState {
  status: ChannelStatus;
  /** Why the kernel cannot be read (`incompatible`); else null. */
  message: string | null;
  /** Each section's part, by section id; a section missing here is at its `initial` (read
   * them with `partOf`). */
  parts: Readonly<Record<string, unknown>>;
}

export function initialState(status: ChannelStatus): IKernelState {
  return { status, message: null, parts: {} };
}

/** A section's part of a kernel's state. */
export function partOf<P>(state: IKernelState, section: ISection<P, any>): P {
  return Object.prototype.hasOwnProperty.call(state.parts, section.id)
    ? (state.parts[section.id] as P)
    : section.initial;
}

/** What a section's view is given for a kernel's state (null: no notebook is open). */
export function viewProps<P>(
  section: ISection<P, any>,
  state: IKernelState | null,
  host: ISectionHost
): ISectionProps<P> {
  return {
    part: state ? partOf(state, section) : section.initial,
    status: state ? state.status : null,
    message: state ? state.message : null,
    host
  };
}

/** Whether a section's share of a snapshot is well formed; one that is not is logged and
 * left out (a check that throws too), so a malformed share costs no other section. */
function readsShare(section: ISection<unknown, any>, snapshot: SnapshotData): boolean {
  try {
    if (!section.checkSnapshot || section.checkSnapshot(snapshot)) {
      return true;
    }
    console.warn(`dlmagics: the snapshot's share for the ${section.id} section is malformed; left out`);
  } catch (reason) {
    console.warn(`dlmagics: checking the snapshot's share for the ${section.id} section failed`, reason);
  }
  return false;
}

/** The state after one kernel message (a pure function: easy to test). A snapshot goes to
 * every section; any other message to the section that takes its type (none: unchanged). */
export function reduce(
  state: IKernelState,
  msg: KernelMessage | IKernelMessage,
  sections: SectionRegistry = builtIn
): IKernelState {
  if (msg.type === 'snapshot') {
    const parts = { ...state.parts };
    for (const section of sections) {
      if (readsShare(section, msg as SnapshotData)) {
        parts[section.id] = section.fromSnapshot(partOf(state, section), msg as SnapshotData);
      }
    }
    return { status: 'connected', message: null, parts };
  }
  const section = sections.forType(msg.type);
  if (!section) {
    return state;
  }
  const part = partOf(state, section);
  const next = section.reduce(part, msg);
  return next === part
    ? state
    : { ...state, parts: { ...state.parts, [section.id]: next } };
}

/** The parts of a session context the channel uses (a notebook panel's). */
export type ISessionLike = Pick<
  ISessionContext,
  | 'session'
  | 'kernelChanged'
  | 'statusChanged'
  | 'connectionStatusChanged'
  | 'disposed'
>;

const RESTARTING: ReadonlyArray<Kernel.Status> = [
  'restarting',
  'autorestarting'
];
const LIVE: ReadonlyArray<Kernel.Status> = ['starting', 'idle', 'busy'];
const ASK_TIMEOUT_MS = 15000;
/** A request_snapshot unanswered this long is asked again (a whole resync). Seen in CI: after a
 * page reload beside busy processes the kernel never handled the first ask, once in a dozen. */
export const SNAPSHOT_RETRY_MS = 5000;
export const SNAPSHOT_RETRIES = 12;

/** The ids of the kernel's open comms on the dlmagics target. */
async function dlmagicsComms(kernel: Kernel.IKernelConnection): Promise<string[]> {
  const reply = await kernel.requestCommInfo({ target_name: COMM_TARGET });
  const comms = reply.content.status === 'ok' ? reply.content.comms : {};
  return Object.keys(comms).filter(id => comms[id].target_name === COMM_TARGET);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    promise.then(
      value => {
        clearTimeout(timer);
        resolve(value);
      },
      error => {
        clearTimeout(timer);
        reject(error);
      }
    );
  });
}

/** The sidebar's end of the channel to one notebook's kernel. */
export class KernelChannel {
  constructor(
    readonly sessionContext: ISessionLike,
    readonly label: () => string,
    readonly sections: SectionRegistry = builtIn
  ) {
    sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    sessionContext.statusChanged.connect(this._onStatusChanged, this);
    sessionContext.connectionStatusChanged.connect(
      this._onConnectionStatusChanged,
      this
    );
    this._setKernel(sessionContext.session?.kernel ?? null);
  }

  get state(): IKernelState {
    return this._state;
  }

  get stateChanged(): ISignal<this, IKernelState> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Emits each quiz's answer-cell text, for the notebook's answer cells (answerCells.ts). */
  get quizAnswers(): ISignal<this, IQuizAnswersMessage> {
    return this._quizAnswers;
  }

  /** Ask the kernel again for everything (reload, reconnect). */
  async resync(): Promise<void> {
    const kernel = this._kernel;
    if (!kernel || this._state.status === 'incompatible') {
      return; // nothing to ask, or nothing the answer could change
    }
    const generation = ++this._generation;
    if (!['connected', 'no-channel'].includes(this._state.status)) {
      this._setState(initialState('connecting'));
    }
    let ids: string[] | null = null;
    try {
      // kernel.info settles once the kernel answered kernel_info: messages sent
      // before that can be dropped when JupyterLab (re)establishes the session.
      ids = await withTimeout(
        kernel.info.then(() => dlmagicsComms(kernel)),
        ASK_TIMEOUT_MS
      );
    } catch (reason) {
      console.warn('dlmagics: could not ask the kernel for its comms', reason);
    }
    if (generation !== this._generation || this._isDisposed) {
      return; // a newer resync (or a kernel change) took over while we waited
    }
    if (ids !== null && ids.length > 0) {
      if (!this._comm || !ids.includes(this._comm.commId)) {
        if (kernel.hasComm(ids[0])) {
          this._askAgainLater(generation); // its comm_open is on the way: if it is lost, ask again
          return;
        }
        // The kernel's comm outlived a page reload: re-attach to it by id.
        this._adopt(kernel.createComm(COMM_TARGET, ids[0]));
      }
      this._ask(this._comm!);
    } else if (this._state.status === 'connecting') {
      // dlmagics is not loaded (or the kernel did not answer): the registered
      // target still catches the comm a later %load_ext opens.
      this._setState(initialState('no-channel'));
    }
  }

  /** Send a message to the kernel; false when no channel is open. */
  send(message: { type: string }): boolean {
    if (!this._comm || this._state.status !== 'connected') {
      return false;
    }
    this._comm.send({ ...message });
    return true;
  }

  /** Interrupt the kernel, as the notebook's stop button does: how a run in the foreground
   * (a %%ddp cell) is stopped, as its kernel reads no message until the cell ends. False when
   * there is no kernel. */
  interrupt(): boolean {
    const kernel = this.sessionContext.session?.kernel;
    if (!kernel) {
      return false;
    }
    void kernel.interrupt().catch(reason => console.warn('dlmagics: could not interrupt the kernel', reason));
    return true;
  }

  /** Ask the kernel to stop the demo training now; false when no channel is open. */
  stopTraining(): boolean {
    return this.send(STOP_TRAINING);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    clearTimeout(this._retryTimer);
    this._setKernel(null);
    Signal.clearData(this);
  }

  private _onKernelChanged(
    _: unknown,
    change: { newValue: Kernel.IKernelConnection | null }
  ): void {
    this._setKernel(change.newValue);
  }

  private _setKernel(kernel: Kernel.IKernelConnection | null): void {
    if (kernel === this._kernel) {
      return;
    }
    this._generation++; // answers about the old kernel no longer count
    this._retries = 0;
    this._kernel?.removeCommTarget(COMM_TARGET, this._onCommOpen);
    this._dropComm();
    this._kernel = kernel;
    if (!kernel) {
      this._setState(initialState('no-kernel'));
      return;
    }
    kernel.registerCommTarget(COMM_TARGET, this._onCommOpen);
    this._setState(initialState('connecting'));
    void this.resync();
  }

  private _onStatusChanged(_: unknown, status: Kernel.Status): void {
    if (RESTARTING.includes(status)) {
      // The kernel process is going away: whatever it told us is no longer true.
      this._dropComm();
      this._setState(initialState('restarting'));
      this._askOnIdle = true;
    } else if (status === 'dead') {
      this._dropComm();
      this._setState(initialState('no-kernel'));
    } else if (this._state.status === 'restarting' && LIVE.includes(status)) {
      // A fresh kernel process has no dlmagics loaded. Asking now would race
      // JupyterLab's reconnection, which drops messages queued during a restart.
      this._setState(initialState('no-channel'));
    } else if (status === 'idle' && this._askOnIdle) {
      this._askOnIdle = false;
      void this.resync(); // in case the kernel loads dlmagics from its config
    }
  }

  private _onConnectionStatusChanged(
    _: unknown,
    status: Kernel.ConnectionStatus
  ): void {
    if (status === 'connected') {
      void this.resync();
    }
  }

  /** The kernel opened the channel (`%load_ext dlmagics`). */
  private _onCommOpen = (comm: Kernel.IComm, msg: KM.ICommOpenMsg): void => {
    if (!isCompatible(msg.metadata)) {
      const version = (msg.metadata as { version?: unknown }).version;
      this._setState({
        ...initialState('incompatible'),
        message: `The kernel's dlmagics speaks protocol ${String(version)}; this sidebar speaks ${PROTOCOL_VERSION}. Install the same dlmagics version in the kernel and in JupyterLab.`
      });
      return;
    }
    this._adopt(comm);
    this._receive(msg.content.data);
    this._ask(comm); // the hello that starts the kernel's monitor
  };

  /** Ask for a snapshot; until one comes (status 'connecting'), ask again now and then. */
  private _ask(comm: Kernel.IComm): void {
    comm.send({ ...REQUEST_SNAPSHOT });
    if (this._state.status === 'connecting') {
      this._askAgainLater(this._generation);
    }
  }

  private _askAgainLater(generation: number): void {
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => {
      const waiting = this._state.status === 'connecting' && !this._isDisposed;
      if (waiting && generation === this._generation && this._retries < SNAPSHOT_RETRIES) {
        this._retries++;
        console.warn(`dlmagics: no snapshot from the kernel in ${SNAPSHOT_RETRY_MS} ms; asking again`);
        void this.resync();
      }
    }, SNAPSHOT_RETRY_MS);
  }

  private _adopt(comm: Kernel.IComm): void {
    this._dropComm();
    this._comm = comm;
    comm.onMsg = msg => this._receive(msg.content.data);
    comm.onClose = () => {
      if (this._comm === comm) {
        this._comm = null;
        this._setState(initialState('no-channel'));
      }
    };
  }

  private _dropComm(): void {
    const comm = this._comm;
    this._comm = null;
    if (comm && !comm.isDisposed) {
      comm.onClose = () => undefined;
      comm.dispose(); // local only: never close the kernel's comm for other views
    }
  }

  private _receive(data: unknown): void {
    const msg = parseKernelMessage(data, [...this.sections, quizAnswersReader]);
    if (!msg) {
      console.warn('dlmagics: ignored a malformed or unknown message from the kernel', data);
      return;
    }
    if (msg.type === 'quiz_answers') {
      this._quizAnswers.emit(msg as IQuizAnswersMessage); // for the notebook: no sidebar state
      return;
    }
    if (msg.type !== 'snapshot' && this._state.status !== 'connected') {
      return; // a sample before the snapshot that makes sense of it
    }
    let state: IKernelState;
    try {
      state = reduce(this._state, msg, this.sections);
    } catch (reason) {
      console.warn(`dlmagics: a sidebar section failed on a '${msg.type}' message`, reason);
      return;
    }
    this._setState(state);
  }

  private _setState(state: IKernelState): void {
    if (state.status !== 'connecting') {
      clearTimeout(this._retryTimer); // answered, or nothing left to wait for
      this._retries = 0;
    }
    if (state !== this._state) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private _comm: Kernel.IComm | null = null;
  private _generation = 0;
  private _askOnIdle = false;
  private _isDisposed = false;
  private _retries = 0;
  private _retryTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private _kernel: Kernel.IKernelConnection | null = null;
  private _state: IKernelState = initialState('no-kernel');
  private _stateChanged = new Signal<this, IKernelState>(this);
  private _quizAnswers = new Signal<this, IQuizAnswersMessage>(this);
}

/** What a section shows of a kernel's state (compared by reference). */
function shownBy(section: AnySection, state: IKernelState): unknown[] {
  const part = partOf(state, section);
  return section.readsStatus ? [part, state.status, state.message] : [part];
}

/** Follows the active notebook: one channel per notebook, `current` the one shown. */
export class SidebarModel {
  constructor(readonly sections: SectionRegistry = builtIn) {}

  get current(): KernelChannel | null {
    return this._current;
  }

  /** Emits whenever what the sidebar shows may have changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emits when what one section shows may have changed (a GPU sample redraws no quiz). */
  sectionChanged(id: string): ISignal<this, void> {
    let signal = this._sections.get(id);
    if (!signal) {
      signal = new Signal<this, void>(this);
      this._sections.set(id, signal);
    }
    return signal;
  }

  /** The channel for a notebook's session, made on first use. */
  channelFor(
    sessionContext: ISessionLike,
    label: () => string
  ): KernelChannel {
    let channel = this._channels.get(sessionContext);
    if (!channel) {
      const created = new KernelChannel(sessionContext, label, this.sections);
      this._channels.set(sessionContext, created);
      created.stateChanged.connect((_, state) => {
        if (created === this._current) {
          this._emit(state);
        }
      });
      sessionContext.disposed.connect(() => {
        this._channels.delete(sessionContext);
        if (this._current === created) {
          this.setCurrent(null);
        }
        created.dispose();
      });
      channel = created;
    }
    return channel;
  }

  setCurrent(channel: KernelChannel | null): void {
    if (channel !== this._current) {
      this._current = channel;
      this._shown = null; // another notebook: every section redraws
      this._emit(channel ? channel.state : null);
    }
  }

  private _emit(state: IKernelState | null): void {
    const shown = this._shown;
    this._shown = state;
    this._changed.emit();
    for (const section of this.sections) {
      const before = shown ? shownBy(section, shown) : null;
      const after = state ? shownBy(section, state) : null;
      if (!before || !after || before.some((part, i) => part !== after[i])) {
        (this.sectionChanged(section.id) as Signal<this, void>).emit();
      }
    }
  }

  private _channels = new Map<ISessionLike, KernelChannel>();
  private _current: KernelChannel | null = null;
  private _shown: IKernelState | null = null;
  private _changed = new Signal<this, void>(this);
  private _sections = new Map<string, Signal<this, void>>();
}
