/**
 * The "DL Magics" sidebar: a SidePanel whose accordion holds one section per feature.
 * Sections: the GPU monitor and the quizzes; the timeline slots in with `addSection`.
 */
import { LabIcon, ReactWidget, SidePanel, UseSignal } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';
import { GpuSection } from './gpu';
import { SidebarModel } from './model';
import { QuizzesSection } from './quizzes';
import iconSvg from '../labextension/style/icon.svg';

export const dlmagicsIcon = new LabIcon({ name: 'dlmagics:icon', svgstr: iconSvg });

export const SIDEBAR_ID = 'dlmagics-sidebar';

export class DLMagicsPanel extends SidePanel {
  constructor(
    readonly model: SidebarModel,
    revealCell: (cellId: string) => boolean
  ) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('dlm-panel');
    this.title.icon = dlmagicsIcon;
    this.title.caption = 'DL Magics';
    this.addSection(
      'GPU',
      ReactWidget.create(
        <UseSignal signal={model.changed}>
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
        <UseSignal signal={model.changed}>
          {() => (
            <QuizzesSection
              state={model.current ? model.current.state : null}
              revealCell={revealCell}
            />
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
