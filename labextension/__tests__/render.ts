/// <reference path="./react-dom-server.d.ts" />
/** Sections' views rendered to HTML, as the panel renders them, with a stand-in host. */
import { Signal } from '@lumino/signaling';
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { IKernelState, viewProps } from '../model';
import { AnySection, ISectionHost } from '../sections';

/** A host that records what the views ask of it. */
export interface IStubHost extends ISectionHost {
  sent: unknown[];
  revealed: string[];
  /** How many times a view interrupted the kernel. */
  interrupts: number;
}

export function stubHost(label: string | null = 'a.ipynb', connected = true): IStubHost {
  const host: IStubHost = {
    sent: [],
    revealed: [],
    interrupts: 0,
    label: () => label,
    reveal: cellId => {
      host.revealed.push(cellId);
      return true;
    },
    send: message => {
      host.sent.push(message);
      return connected;
    },
    interrupt: () => {
      host.interrupts += 1;
      return connected;
    },
    reader: {
      reading: null,
      changed: new Signal<any, void>({}),
      insert: () => false,
      jump: cellId => host.reveal(cellId)
    }
  };
  return host;
}

/** A section's view of `state` (null: no notebook open), as HTML. */
export function render(
  section: AnySection,
  state: IKernelState | null,
  host: ISectionHost = stubHost()
): string {
  return renderToStaticMarkup(React.createElement(section.View, viewProps(section, state, host)));
}
