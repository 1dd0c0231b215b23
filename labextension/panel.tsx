/**
 * The "DL Magics" sidebar: a SidePanel whose accordion holds one section per registered
 * section (sections.ts), in rank order: the GPU monitor, the quizzes, the runs (benchmarks,
 * the demo training) and the timeline of the active notebook.
 */
import { LabIcon, ReactWidget, SidePanel, UseSignal } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging'; // types only: erased, no runtime dependency
import { AccordionPanel, Widget } from '@lumino/widgets';
import * as React from 'react';
import { SidebarModel, viewProps } from './model';
import { NotebookReader } from './reading';
import { shareEvenly } from './layout';
import type { AnySection, ISectionHost } from './sections';
import iconSvg from '../labextension/style/icon.svg';

export const dlmagicsIcon = new LabIcon({ name: 'dlmagics:icon', svgstr: iconSvg });

export const SIDEBAR_ID = 'dlmagics-sidebar';

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

export class DLMagicsPanel extends SidePanel {
  constructor(
    readonly model: SidebarModel,
    reader: NotebookReader
  ) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('dlm-panel');
    this.title.icon = dlmagicsIcon;
    this.title.caption = 'DL Magics';
    const host: ISectionHost = {
      label: () => model.current?.label() ?? null,
      reveal: cellId => reader.reveal(cellId),
      send: message => model.current?.send(message) ?? false,
      reader
    };
    for (const section of model.sections) {
      this.addSection(
        section.title,
        ReactWidget.create(<SectionBody section={section} model={model} host={host} />)
      );
    }
  }

  /** Add a titled, collapsible section under the ones already there. */
  addSection(title: string, body: Widget): void {
    body.title.label = title;
    body.addClass('dlm-section');
    this.addWidget(body);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // Sections drawn by React get their content after attach, and it changes with the
    // kernel's messages: fit again whenever it does, until the learner sizes them by hand.
    this._resized = new ResizeObserver(() => this._fit());
    this._added = new MutationObserver(() => this._watchFitted());
    for (const section of this._fitted()) {
      this._added.observe(section.node, { childList: true });
    }
    this._watchFitted();
    const accordion = this.content as AccordionPanel;
    accordion.node.addEventListener('pointerdown', this._onPointerDown, true);
    accordion.expansionToggled.connect(this._byHand, this);
  }

  protected onBeforeDetach(msg: Message): void {
    this._resized?.disconnect();
    this._added?.disconnect();
    const accordion = this.content as AccordionPanel;
    accordion.node.removeEventListener('pointerdown', this._onPointerDown, true);
    accordion.expansionToggled.disconnect(this._byHand, this);
    super.onBeforeDetach(msg);
  }

  /** The sections sized to their content: all but the last. */
  private _fitted(): readonly Widget[] {
    return this.widgets.slice(0, -1);
  }

  private _watchFitted(): void {
    for (const section of this._fitted()) {
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
   * Each section but the last (the Timeline, which scrolls) as tall as its content, up to
   * FIT_SHARE of the panel each; the last keeps at least LAST_SHARE. When that is more
   * than there is, the first (the GPU card) stays whole and the others share what is left
   * evenly (none gets more than it needs; one that gets less scrolls). The accordion's
   * handles and titles still resize and collapse them: once the learner does, the sizes
   * are theirs.
   */
  private _fit(): void {
    const accordion = this.content as AccordionPanel;
    // The sizes share what the section titles and the handles between sections leave.
    const titles = accordion.titles.reduce((sum, title) => sum + title.offsetHeight, 0);
    const handles = accordion.spacing * Math.max(0, accordion.widgets.length - 1);
    const height = accordion.node.clientHeight - titles - handles;
    if (this._sizedByHand || height <= 0 || accordion.widgets.some(w => w.isHidden)) {
      return;
    }
    const wanted = this._fitted().map((w, i) => {
      const fit = Math.min(contentHeight(w.node), height * FIT_SHARE);
      // A line that wraps one sample and not the next must not make the sections below jump.
      const before = this._fits[i] ?? 0;
      return fit < before && before - fit < SHRINK_PX ? before : fit;
    });
    this._fits = wanted;
    const room = height * (1 - LAST_SHARE);
    const first = Math.min(wanted[0] ?? 0, room);
    const natural = [first, ...shareEvenly(wanted.slice(1), room - first)];
    const rest = Math.max(height - natural.reduce((a, b) => a + b, 0), height * LAST_SHARE);
    accordion.setRelativeSizes([...natural, rest]);
  }

  private _byHand(): void {
    this._sizedByHand = true;
  }

  private _onPointerDown = (event: PointerEvent): void => {
    const target = event.target as HTMLElement | null;
    if (target?.closest('.lm-SplitPanel-handle')) {
      this._byHand();
    }
  };

  private _resized: ResizeObserver | null = null;
  private _added: MutationObserver | null = null;
  private _sizedByHand = false;
  private _fits: number[] = [];
}

/** The largest share of the panel's height a fitted section takes. */
const FIT_SHARE = 0.6;
/** The smallest share the last section (the Timeline) keeps. */
const LAST_SHARE = 0.2;

/** A fitted section shrinks only when its content lost more than this (two lines or so). */
const SHRINK_PX = 40;

/** How tall a section's content is, padding and margins included, whatever height the
 * accordion gives it now: its height let go for one synchronous measurement (no paint). */
function contentHeight(node: HTMLElement): number {
  const height = node.style.height;
  node.style.height = 'auto';
  const natural = node.scrollHeight;
  node.style.height = height;
  return natural + 1;
}
