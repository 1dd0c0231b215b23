/**
 * The renderer of our widget outputs (savedOutputs.ts says why): ipywidgets' widget while its
 * model lives in the kernel of the notebook (or console) it is in, else nothing, leaving the
 * static copy below it.
 */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel, Widget } from '@lumino/widgets';
import { CommSource, WIDGET_VIEW, liveModelsOf } from './savedOutputs';

const IPYWIDGETS_VIEW = 'application/vnd.jupyter.widget-view+json';

/** The nearest widget up from `widget` that has `key`, and its value. */
function nearest<T>(widget: Widget | null, key: string): T | undefined {
  for (let w: any = widget; w; w = w.parent) {
    if (w[key]) {
      return w[key] as T;
    }
  }
  return undefined;
}

/** Draws WIDGET_VIEW: ipywidgets' widget while its model lives, else nothing. */
export class SavedWidgetRenderer extends Panel implements IRenderMime.IRenderer {
  private onPage: Promise<void>;
  private renders = 0;
  private attached = () => {};

  constructor() {
    super();
    this.onPage = new Promise(resolve => (this.attached = resolve));
  }

  protected onAfterAttach(msg: any): void {
    super.onAfterAttach(msg);
    this.attached();
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const modelId = (model.data[WIDGET_VIEW] as { model_id?: string } | undefined)?.model_id;
    const render = ++this.renders; // of two renders in flight, only the newer draws
    this.widgets.slice().forEach(widget => widget.dispose()); // drawn anew
    this.removeClass('dlm-widget-gone');
    this.show();
    await this.onPage; // the output area and the kernel it shows are known once it is on the page
    const rendermime = nearest<IRenderMimeRegistry>(this.parent, 'rendermime');
    const session = nearest<{ ready: Promise<void>; session: { kernel: CommSource | null } | null }>(
      this.parent,
      'sessionContext'
    );
    if (session) {
      await session.ready;
    }
    const kernel = session?.session?.kernel;
    // No kernel to ask (an output view of its own): ipywidgets decides, as without us.
    const lives = !session || (kernel && modelId ? await liveModelsOf(kernel).has(modelId) : false);
    if (render !== this.renders) {
      return;
    }
    if (!rendermime || !lives) {
      this.addClass('dlm-widget-gone'); // its static copy stands in (base.css hides this row)
      this.hide();
      return;
    }
    const widget = rendermime.createRenderer(IPYWIDGETS_VIEW);
    this.addWidget(widget);
    await widget.renderModel(model);
  }
}

/** The renderer factory, for the application's renderer registry. */
export const savedWidgetFactory: IRenderMime.IRendererFactory = {
  safe: false,
  mimeTypes: [WIDGET_VIEW],
  createRenderer: () => new SavedWidgetRenderer()
};
