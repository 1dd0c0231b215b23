/**
 * Whether the widget changes a page has sent its kernel have all arrived.
 *
 * ipywidgets sends a model's changes one at a time: while one is unanswered (the kernel not
 * yet idle after it), later changes of that model wait in the page. A button's click is sent
 * at once. So a Check pressed right after a tick can reach the kernel before the tick does,
 * and grade an answer the page no longer shows. A grading button waits for `settled()`.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';

/** The part of a kernel connection this needs (a fake in the tests). */
export type MessageSource = Pick<Kernel.IKernelConnection, 'anyMessage' | 'statusChanged'>;

const GONE = new Set(['restarting', 'autorestarting', 'dead']);

export class WidgetSync {
  /** The ids of widget updates sent and not yet answered. */
  private readonly inFlight = new Set<string>();

  constructor(kernel: MessageSource) {
    kernel.anyMessage.connect((_, { msg, direction }) => this.observe(msg, direction));
    // A kernel that restarts or dies answers nothing more: forget what it owed.
    kernel.statusChanged.connect((_, status) => GONE.has(status) && this.inFlight.clear());
  }

  get pending(): number {
    return this.inFlight.size;
  }

  observe(msg: KernelMessage.IMessage, direction: 'send' | 'recv'): void {
    if (direction === 'send' && msg.header.msg_type === 'comm_msg') {
      const data = (msg.content as KernelMessage.ICommMsgMsg['content']).data as { method?: string };
      if (data?.method === 'update') {
        this.inFlight.add(msg.header.msg_id);
      }
    } else if (direction === 'recv' && msg.header.msg_type === 'status') {
      const state = (msg.content as KernelMessage.IStatusMsg['content']).execution_state;
      const parent = (msg.parent_header as KernelMessage.IHeader | undefined)?.msg_id;
      if (state === 'idle' && parent) {
        this.inFlight.delete(parent);
      }
    }
  }

  /** Resolves once nothing is in flight at two looks `pollMs` apart: the page sends a waiting
   * change only after it has handled the answer to the one before, after we saw that answer.
   * After `limitMs` it resolves anyway (the click then goes as it would have without us). */
  settled(pollMs = 20, limitMs = 30000): Promise<void> {
    const start = Date.now();
    return new Promise(resolve => {
      let quietLooks = 0;
      const look = () => {
        quietLooks = this.inFlight.size === 0 ? quietLooks + 1 : 0;
        if (quietLooks >= 2 || Date.now() - start >= limitMs) {
          resolve();
        } else {
          setTimeout(look, pollMs);
        }
      };
      look();
    });
  }
}

/** One WidgetSync per kernel connection. */
const syncs = new WeakMap<MessageSource, WidgetSync>();

export function widgetSyncOf(kernel: MessageSource): WidgetSync {
  let sync = syncs.get(kernel);
  if (!sync) {
    sync = new WidgetSync(kernel);
    syncs.set(kernel, sync);
  }
  return sync;
}
