/**
 * The sidebar's left panels. The "DL Magics" panel is an accordion of the sections that share
 * it (the GPU monitor, the quizzes, the runs), each as tall as its content allows and never
 * shorter than its least height (layout.ts); a section with `ownPanel` (the timeline, a long
 * list) is a left panel of its own, as JupyterLab's Table of Contents is.
 */
import { LabIcon, ReactWidget, SidePanel, UseSignal } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging'; // types only: erased, no runtime dependency
import { AccordionPanel, Panel, Widget } from '@lumino/widgets';
import * as React from 'react';
import { SidebarModel, viewProps } from './model';
import { NotebookReader } from './reading';
import { fitSections, leastHeight } from './layout';
import type { AnySection, ISectionHost } from './sections';
import iconSvg from '../labextension/style/icon.svg';

export const dlmagicsIcon = new LabIcon({ name: 'dlmagics:icon', svgstr: iconSvg });

export const SIDEBAR_ID = 'dlmagics-sidebar';

/** The id of a section's own panel. */
export function ownPanelId(section: AnySection): string {
  return `dlmagics-${section.id}`;
}

/** One section's view of the active notebook's kernel, redrawn when its part changes. */
function SectionBody(props: {
  section: AnySection;
  model: SidebarModel;
  host: ISectionHost;
}): JSX.Element {
  const { section, model, host } = props;
  return (
    <UseSignal signal={model.sectionChanged(section.id)}>
      {() => <section.View {...viewProps(section, model.current?.state ?? null, host)} />}
    </UseSignal>
  );
}

function sectionBody(section: AnySection, model: SidebarModel, host: ISectionHost): Widget {
  const body = ReactWidget.create(<SectionBody section={section} model={model} host={host} />);
  body.addClass('dlm-section');
  body.title.label = section.title;
  return body;
}

/** The left panels: the DL Magics panel, then each section's own panel, in rank order. */
export function sidePanels(model: SidebarModel, reader: NotebookReader): SidePanel[] {
  const host: ISectionHost = {
    label: () => model.current?.label() ?? null,
    reveal: cellId => reader.reveal(cellId),
    send: message => model.current?.send(message) ?? false,
    interrupt: () => model.current?.interrupt() ?? false,
    reader
  };
  const own = model.sections.all.filter(s => s.ownPanel);
  const shared = model.sections.all.filter(s => !s.ownPanel);
  return [
    new DLMagicsPanel(shared.map(s => sectionBody(s, model, host))),
    ...own.map(s => sectionPanel(s, sectionBody(s, model, host)))
  ];
}

/** A section alone in a left panel: a header with its title, its view the rest. */
function sectionPanel(section: AnySection, body: Widget): SidePanel {
  const content = new Panel();
  content.addClass('dlm-own-panel');
  content.addWidget(body);
  const panel = new SidePanel({ content });
  panel.id = ownPanelId(section);
  panel.addClass('dlm-panel');
  panel.title.icon = new LabIcon({ name: `dlmagics:${section.id}`, svgstr: section.ownPanel!.icon });
  panel.title.caption = body.title.label;
  const heading = document.createElement('h2');
  heading.textContent = body.title.label;
  heading.classList.add('jp-text-truncated');
  panel.header.addWidget(new Widget({ node: heading }));
  return panel;
}

export class DLMagicsPanel extends SidePanel {
  constructor(bodies: Widget[]) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('dlm-panel');
    this.title.icon = dlmagicsIcon;
    this.title.caption = 'DL Magics';
    bodies.forEach(body => this.addWidget(body));
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // Sections drawn by React get their content after attach, and it changes with the
    // kernel's messages: fit again whenever it does.
    this._resized = new ResizeObserver(() => this._fit());
    this._added = new MutationObserver(() => this._watchContent());
    for (const section of this.widgets) {
      this._added.observe(section.node, { childList: true });
    }
    this._watchContent();
    const accordion = this.content as AccordionPanel;
    accordion.node.addEventListener('pointerdown', this._onPointerDown, true);
    accordion.expansionToggled.connect(this._toggled, this);
  }

  protected onBeforeDetach(msg: Message): void {
    this._resized?.disconnect();
    this._added?.disconnect();
    const accordion = this.content as AccordionPanel;
    accordion.node.removeEventListener('pointerdown', this._onPointerDown, true);
    accordion.expansionToggled.disconnect(this._toggled, this);
    super.onBeforeDetach(msg);
  }

  private _watchContent(): void {
    for (const section of this.widgets) {
      for (const child of Array.from(section.node.children)) {
        this._resized?.observe(child); // observing twice is a no-op
      }
    }
    this._fit();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._fit();
  }

  /**
   * The open sections sized by fitSections, and each given its least height as a CSS
   * min-height, which the accordion's layout keeps to whatever happens next: a handle
   * dragged, a section collapsed or opened. Once the learner drags a handle, the sizes are
   * theirs (above the least heights) until they collapse or open a section.
   */
  private _fit(): void {
    const accordion = this.content as AccordionPanel;
    const open = this.widgets.filter(w => !w.isHidden);
    // The sizes share what the section titles and the handles between open sections leave.
    const titles = accordion.titles.reduce((sum, title) => sum + title.offsetHeight, 0);
    const handles = accordion.spacing * Math.max(0, open.length - 1);
    const height = accordion.node.clientHeight - titles - handles;
    if (height <= 0 || open.length === 0) {
      return;
    }
    const wanted = open.map(w => {
      const fit = contentHeight(w.node);
      // A line that wraps one sample and not the next must not make the sections below jump.
      const before = this._fits.get(w) ?? 0;
      const kept = fit < before && before - fit < SHRINK_PX ? before : fit;
      this._fits.set(w, kept);
      return kept;
    });
    let refit = false;
    open.forEach((w, i) => {
      const least = `${Math.floor(leastHeight(wanted[i]))}px`;
      refit ||= w.node.style.minHeight !== least;
      w.node.style.minHeight = least;
    });
    if (refit) {
      accordion.fit(); // the layout reads the new min-heights
    }
    if (this._sizedByHand) {
      return;
    }
    const sizes = fitSections(wanted, height);
    accordion.setRelativeSizes(this.widgets.map(w => (w.isHidden ? 0 : sizes[open.indexOf(w)])));
  }

  private _toggled(): void {
    this._sizedByHand = false;
    this._fit();
  }

  private _onPointerDown = (event: PointerEvent): void => {
    const target = event.target as HTMLElement | null;
    if (target?.closest('.lm-SplitPanel-handle')) {
      this._sizedByHand = true;
    }
  };

  private _resized: ResizeObserver | null = null;
  private _added: MutationObserver | null = null;
  private _sizedByHand = false;
  private _fits = new WeakMap<Widget, number>();
}

/** A section shrinks only when its content lost more than this (two lines or so). */
const SHRINK_PX = 40;

/** How tall a section's content is, padding and margins included, whatever height the
 * accordion gives it now: its height and least height let go for one synchronous
 * measurement (no paint). */
function contentHeight(node: HTMLElement): number {
  const { height, minHeight } = node.style;
  node.style.height = 'auto';
  node.style.minHeight = '0';
  const natural = node.scrollHeight;
  node.style.height = height;
  node.style.minHeight = minHeight;
  return natural + 1;
}
