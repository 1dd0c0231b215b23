/**
 * dlmagics' JupyterLab plugin: wiring only. The sidebar follows the active notebook;
 * each notebook gets one channel to its kernel, through the notebook's own connection.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { ICodeCellModel } from '@jupyterlab/cells';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { writeAnswerCells } from './answerCells';
import { installOutputHelpers } from './outputs';
import { RANK, liveModelsOf, updateCopies } from './savedOutputs';
import { savedWidgetFactory } from './savedWidget';
import { SidebarModel } from './model';
import { sidePanels } from './panel';
import { NotebookReader } from './reading';
import { widgetSyncOf } from './widgetSync';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'dlmagics:sidebar',
  description: 'The DL Magics sidebar (GPU monitor, quiz progress, runs) and the Timeline of deep learning panel.',
  autoStart: true,
  // Optional, so that a shell without notebooks (Voila) leaves the sidebar out quietly
  // instead of logging a failed activation.
  optional: [INotebookTracker, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker | null,
    restorer: ILayoutRestorer | null
  ) => {
    if (!notebooks) {
      return;
    }
    const model = new SidebarModel();
    const channelOf = (panel: NotebookPanel) =>
      model.channelFor(panel.sessionContext, () => panel.title.label);

    // Register on every notebook, shown or not, so a %load_ext is never missed; a quiz's
    // answers go to the answer cells of the notebook whose kernel sent them.
    const register = (panel: NotebookPanel) =>
      channelOf(panel).quizAnswers.connect((_, msg) => {
        writeAnswerCells(panel.content.model?.cells ?? [], msg);
      });
    notebooks.forEach(register);
    notebooks.widgetAdded.connect((_, panel) => register(panel));
    const follow = () => {
      const panel = notebooks.currentWidget;
      model.setCurrent(panel ? channelOf(panel) : null);
    };
    notebooks.currentChanged.connect(follow);
    follow();

    sidePanels(model, new NotebookReader(notebooks)).forEach((panel, i) => {
      app.shell.add(panel, 'left', { rank: 600 + i, type: panel.title.caption });
      restorer?.add(panel, panel.id);
    });
  }
};

/** Keyboard and screen-reader help for dlmagics' output widgets, and their outputs in a saved
 * notebook. It needs no notebook tracker, so it works in any shell that shows the widgets. */
const outputs: JupyterFrontEndPlugin<void> = {
  id: 'dlmagics:outputs',
  description:
    "Keys typed in dlmagics' quizzes and dashboards stay there, feedback is read out, Stop works while a cell waits; " +
    'a reopened notebook shows their static copies, up to date, without widget errors.',
  autoStart: true,
  optional: [INotebookTracker, IRenderMimeRegistry],
  activate: (app: JupyterFrontEnd, notebooks: INotebookTracker | null, rendermime: IRenderMimeRegistry | null) => {
    rendermime?.addFactory(savedWidgetFactory, RANK);
    const kernelOf = (node: Element) => notebooks?.find(p => p.node.contains(node))?.sessionContext.session?.kernel;
    // Watch each notebook's kernel from the start, so every widget change sent and every
    // widget opened is counted, and the static copies in the notebook follow the kernel's updates.
    const watch = (panel: NotebookPanel) => {
      let watched: Kernel.IKernelConnection | null = null;
      const follow = (_: unknown, msg: KernelMessage.IIOPubMessage) =>
        updateCopies(msg, () =>
          Array.from(panel.content.model?.cells ?? [])
            .filter(cell => cell.type === 'code')
            .map(cell => (cell as ICodeCellModel).outputs)
        );
      const track = () => {
        const kernel = panel.sessionContext.session?.kernel ?? null;
        if (kernel) {
          widgetSyncOf(kernel);
          liveModelsOf(kernel);
        }
        if (kernel !== watched) {
          watched?.iopubMessage.disconnect(follow);
          kernel?.iopubMessage.connect(follow);
          watched = kernel;
        }
      };
      panel.sessionContext.kernelChanged.connect(track);
      void panel.sessionContext.ready.then(track);
    };
    notebooks?.forEach(watch);
    notebooks?.widgetAdded.connect((_, panel) => watch(panel));
    installOutputHelpers(window, {
      interrupt: node => void kernelOf(node)?.interrupt(),
      settled: node => {
        const kernel = kernelOf(node);
        return kernel ? widgetSyncOf(kernel).settled() : Promise.resolve();
      }
    });
  }
};

export default [plugin, outputs];
