/**
 * A whole sidebar section from outside the package, as a new wing would bring one: its
 * message and that message's schema entry, its part of a kernel's state, its reduce and its
 * view. sections.spec.ts registers it; nothing under labextension/ names it.
 */
import * as React from 'react';
import type { ISection } from '../sections';

/** Kernel -> frontend: someone said hello in the kernel (`%hello NAME`). */
export interface IHelloMessage {
  type: 'hello';
  name: string;
}

/** The schema entry of the message, beside the protocol's own (see sections.spec.ts). */
export const HELLO_SCHEMA = {
  $id: 'https://dlmagics.test/hello.schema.json',
  $defs: {
    hello_message: {
      description: 'Kernel -> frontend: someone said hello in the kernel.',
      type: 'object',
      required: ['type', 'name'],
      additionalProperties: false,
      properties: {
        type: { const: 'hello' },
        name: { type: 'string', minLength: 1 }
      }
    }
  }
};

/** Who said hello, in the order they first did. */
export interface IHelloPart {
  names: string[];
}

export const helloSection: ISection<IHelloPart, IHelloMessage> = {
  id: 'hello',
  title: 'Hello',
  rank: 350, // after the Runs, before the Timeline (which stays last and scrolls)
  types: ['hello'],
  parse: data =>
    typeof data.name === 'string' && data.name !== ''
      ? (data as unknown as IHelloMessage)
      : null,
  checkSnapshot: snapshot =>
    snapshot.hello === undefined ||
    (Array.isArray(snapshot.hello) && snapshot.hello.every(n => typeof n === 'string')),
  initial: { names: [] },
  fromSnapshot: (part, snapshot) =>
    Array.isArray(snapshot.hello) ? { names: snapshot.hello as string[] } : part,
  reduce: (part, msg) =>
    part.names.includes(msg.name) ? part : { names: [...part.names, msg.name] },
  readsStatus: false,
  View: ({ part, host }) => (
    <div className="hello" data-count={part.names.length}>
      {part.names.length > 0 ? (
        <ul>
          {part.names.map(name => (
            <li key={name}>Hello, {name}!</li>
          ))}
        </ul>
      ) : (
        <p>Nobody said hello in {host.label() ?? 'a notebook'} yet.</p>
      )}
    </div>
  )
};
