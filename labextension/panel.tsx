/**
 * The "DL Magics" sidebar: a SidePanel whose accordion holds one section per feature.
 * Sections: the GPU monitor, the quizzes, and the timeline of the active notebook.
 */
import { LabIcon, ReactWidget, SidePanel, UseSignal } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';
import { GpuSection } from './gpu';
import { SidebarModel } from './model';
import { QuizzesSection } from './quizzes';
import { NotebookReader } from './reading';
import type { ITimelineEvent } from './protocol';
import { TimelineSection } from './timelineSection';
import builtInEvents from './events.json';
import iconSvg from '../labextension/style/icon.svg';

export const dlmagicsIcon = new LabIcon({ name: 'dlmagics:icon', svgstr: iconSvg });

export const SIDEBAR_ID = 'dlmagics-sidebar';

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
    this.addSection(
      'GPU',
      ReactWidget.create(
        <UseSignal signal={model.sectionChanged('gpu')}>
          {() => {
            const channel = model.current;
            return (
              <GpuSection
                label={channel ? channel.label() : null}
                state={channel ? channel.state : null}
              />
            );
          }}
        </UseSignal>
      )
    );
    this.addSection(
      'Quizzes',
      ReactWidget.create(
        <UseSignal signal={model.sectionChanged('quizzes')}>
          {() => (
            <QuizzesSection
              state={model.current ? model.current.state : null}
              revealCell={cellId => reader.reveal(cellId)}
            />
          )}
        </UseSignal>
      )
    );
    // The kernel's events once it sends them; until then, the copy built into the sidebar,
    // so that a notebook's events are marked before %load_ext.
    const events = () => model.current?.state.timeline ?? null;
    this.addSection(
      'Timeline',
      ReactWidget.create(
        <UseSignal signal={model.sectionChanged('timeline')}>
          {() => (
            <UseSignal signal={reader.changed}>
              {() => (
                <TimelineSection
                  events={events() ?? (builtInEvents as ITimelineEvent[])}
                  fromKernel={events() !== null}
                  reading={reader.reading}
                  reveal={cellId => reader.reveal(cellId)}
                  insert={event => reader.insert(event)}
                />
              )}
            </UseSignal>
          )}
        </UseSignal>
      )
    );
  }

  /** Add a titled, collapsible section under the ones already there. */
  addSection(title: string, body: Widget): void {
    body.title.label = title;
    body.addClass('dlm-section');
    this.addWidget(body);
  }
}
