/**
 * Whether the widget changes a page has sent its kernel have all arrived.
 *
 * ipywidgets sends a model's changes one at a time: while one is unanswered (the kernel not
 * yet idle after it), later changes of that model wait in the page. A button's click is sent
 * at once. So a Check pressed right after a tick can reach the kernel before the tick does,
 * and grade an answer the page no longer shows. A grading button waits for `settled()`.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { perKernel } from './perKernel';

/** The part of a kernel connection this needs (a fake in the tests). */
export type MessageSource = Pick<Kernel.IKernelConnection, 'anyMessage' | 'iopubMessage' | 'statusChanged'>;

const GONE = new Set(['restarting', 'autorestarting', 'dead']);

export class WidgetSync {
  /** The ids of widget updates sent and not yet answered, oldest first. */
  private readonly inFlight = new Set<string>();

  constructor(kernel: MessageSource) {
    kernel.anyMessage.connect((_, { msg, direction }) => direction === 'send' && this.sent(msg));
    // iopubMessage comes once the page has handled the message (anyMessage comes on arrival,
    // before): a change ipywidgets held back until this answer has been sent, and counted, by then.
    kernel.iopubMessage.connect((_, msg) => this.answered(msg));
    // A kernel that restarts or dies answers nothing more: forget what it owed.
    kernel.statusChanged.connect((_, status) => GONE.has(status) && this.inFlight.clear());
  }

  get pending(): number {
    return this.inFlight.size;
  }

  sent(msg: KernelMessage.IMessage): void {
    const data = (msg.content as KernelMessage.ICommMsgMsg['content']).data as { method?: string } | undefined;
    if (msg.header.msg_type === 'comm_msg' && data?.method === 'update') {
      this.inFlight.add(msg.header.msg_id);
    }
  }

  answered(msg: KernelMessage.IMessage): void {
    const state = (msg.content as KernelMessage.IStatusMsg['content']).execution_state;
    const parent = (msg.parent_header as KernelMessage.IHeader | undefined)?.msg_id;
    if (msg.header.msg_type !== 'status' || state !== 'idle' || !parent || !this.inFlight.has(parent)) {
      return;
    }
    // The kernel handles a page's messages in order: those sent before this one are done too
    // (an answer lost on a reconnect must not hold every later Check back).
    for (const id of this.inFlight) {
      this.inFlight.delete(id);
      if (id === parent) {
        break;
      }
    }
  }

  /** Resolves once nothing is in flight at two looks `pollMs` apart. After `limitMs` it
   * resolves anyway (the click then goes as it would have without us). */
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
export const widgetSyncOf = perKernel((kernel: MessageSource) => new WidgetSync(kernel));
