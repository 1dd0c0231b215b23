/**
 * dlmagics' widget outputs in a saved notebook.
 *
 * A saved widget output is a reference to a model in the kernel that drew it. Reopened with
 * another kernel, ipywidgets finds no such model, writes "Error displaying widget: model not
 * found" and logs an error, above the static copy a saved notebook keeps of every result. So
 * the kernel gives our widget outputs a second type, WIDGET_VIEW, which this extension draws
 * in preference: it hands the output to ipywidgets while the model lives in the kernel, and
 * otherwise shows nothing, leaving the static copy below it (dlmagics/quiz/view.py).
 *
 * That copy follows each grading: the kernel updates it by its display id. JupyterLab applies
 * an update only while the cell that made the output runs, so those sent later (by a Check)
 * are applied here, to every output whose metadata holds that id.
 *
 * This module holds what needs no page (tested with jest); savedWidget.ts, the renderer.
 */
import type { IOutputAreaModel } from '@jupyterlab/outputarea';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { perKernel } from './perKernel';

/** Our widget view type and the metadata key of a static copy (dlmagics/theme.py). */
export const WIDGET_VIEW = 'application/vnd.dlmagics.widget-view+json';
export const COPY_KEY = 'dlmagics-copy';
/** Before ipywidgets' own renderer (rank -10). */
export const RANK = -20;
const WIDGET_TARGET = 'jupyter.widget';
const GONE = new Set(['restarting', 'autorestarting', 'dead']);

/** The part of a kernel connection LiveModels needs (a fake in the tests). */
export type CommSource = Pick<Kernel.IKernelConnection, 'anyMessage' | 'statusChanged' | 'requestCommInfo'>;

/** Which widget models live in one kernel: those opened while this page watched, or else what
 * the kernel says (a page reloaded while its kernel ran on). A widget's model id is its comm's. */
export class LiveModels {
  private readonly opened = new Set<string>();

  constructor(private readonly kernel: CommSource) {
    kernel.anyMessage.connect((_, { msg, direction }) => direction === 'recv' && this.saw(msg));
    kernel.statusChanged.connect((_, status) => GONE.has(status) && this.opened.clear());
  }

  saw(msg: KernelMessage.IMessage): void {
    const content = msg.content as { comm_id?: string; target_name?: string };
    if (msg.header.msg_type === 'comm_open' && content.target_name === WIDGET_TARGET && content.comm_id) {
      this.opened.add(content.comm_id);
    } else if (msg.header.msg_type === 'comm_close' && content.comm_id) {
      this.opened.delete(content.comm_id);
    }
  }

  async has(modelId: string): Promise<boolean> {
    if (this.opened.has(modelId)) {
      return true;
    }
    try {
      const reply = await this.kernel.requestCommInfo({ target_name: WIDGET_TARGET });
      return reply.content.status === 'ok' && modelId in reply.content.comms;
    } catch {
      return false; // the kernel went away meanwhile
    }
  }
}

export const liveModelsOf = perKernel((kernel: CommSource) => new LiveModels(kernel));

/** Apply a kernel's update of one of our static copies to the outputs that hold it; how many. */
export function updateCopies(msg: KernelMessage.IMessage, outputLists: () => Iterable<IOutputAreaModel>): number {
  if (msg.header.msg_type !== 'update_display_data') {
    return 0;
  }
  const content = (msg as KernelMessage.IUpdateDisplayDataMsg).content;
  const id = (content.transient as { display_id?: string } | undefined)?.display_id;
  if (!id || content.metadata?.[COPY_KEY] !== id) {
    return 0; // not ours: JupyterLab or its author handles it
  }
  let updated = 0;
  for (const outputs of outputLists()) {
    for (let i = 0; i < outputs.length; i++) {
      if (outputs.get(i).metadata?.[COPY_KEY] === id) {
        outputs.set(i, { output_type: 'display_data', data: content.data, metadata: content.metadata });
        updated++;
      }
    }
  }
  return updated;
}
