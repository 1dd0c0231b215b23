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
import { installOutputHelpers } from './outputs';
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

    // Register on every notebook, shown or not, so a %load_ext is never missed.
    notebooks.forEach(channelOf);
    notebooks.widgetAdded.connect((_, panel) => channelOf(panel));
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

/** Keyboard and screen-reader help for dlmagics' output widgets. It needs no notebook
 * tracker, so it works in any shell that shows the widgets. */
const outputs: JupyterFrontEndPlugin<void> = {
  id: 'dlmagics:outputs',
  description: "Keys typed in dlmagics' quizzes and dashboards stay there, feedback is read out, Stop works while a cell waits.",
  autoStart: true,
  optional: [INotebookTracker],
  activate: (app: JupyterFrontEnd, notebooks: INotebookTracker | null) => {
    const kernelOf = (node: Element) => notebooks?.find(p => p.node.contains(node))?.sessionContext.session?.kernel;
    // Watch each notebook's kernel from the start, so every widget change sent is counted.
    const watch = (panel: NotebookPanel) => {
      const track = () => {
        const kernel = panel.sessionContext.session?.kernel;
        if (kernel) {
          widgetSyncOf(kernel);
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
