/**
 * A whole sidebar section from outside the package, as a new wing brings one: its message
 * and that message's schema entry, its part of a kernel's state (read from the snapshot, changed
 * by its message), its reduce and its view. sections.spec.ts registers it; nothing under
 * labextension/ names it. Its kernel side is tests/test_wings.py's HelloWing: the same
 * message, schema entry and snapshot part.
 */
import * as React from 'react';
import type { ISection } from '../sections';

/** Kernel -> frontend: `%hello --name Ada` greeted someone (the words are the kernel's). */
export interface IHelloMessage {
  type: 'hello';
  greeting: string;
}

/** The schema entry of the message, beside the protocol's own (see sections.spec.ts). */
export const HELLO_SCHEMA = {
  $id: 'https://dlmagics.test/hello.schema.json',
  $defs: {
    hello_message: {
      type: 'object',
      required: ['type', 'greeting'],
      additionalProperties: false,
      properties: { type: { const: 'hello' }, greeting: { type: 'string' } }
    }
  }
};

/** The kernel's part of the snapshot: `{"hello": {"greeted": [...]}}`. */
function isHelloShare(value: unknown): value is { greeted: string[] } {
  const greeted = (value as { greeted?: unknown } | null)?.greeted;
  return Array.isArray(greeted) && greeted.every(name => typeof name === 'string');
}

export interface IHelloPart {
  /** Who the kernel greeted (its snapshot's list). */
  greeted: string[];
  /** The latest greeting, as the kernel said it. */
  greeting: string | null;
}

export const helloSection: ISection<IHelloPart, IHelloMessage> = {
  id: 'hello',
  title: 'Hello',
  rank: 350, // after the Runs, before the Timeline (which stays last and scrolls)
  types: ['hello'],
  parse: data => (typeof data.greeting === 'string' ? (data as unknown as IHelloMessage) : null),
  checkSnapshot: snapshot => snapshot.hello === undefined || isHelloShare(snapshot.hello),
  initial: { greeted: [], greeting: null },
  fromSnapshot: (part, snapshot) =>
    isHelloShare(snapshot.hello) ? { ...part, greeted: snapshot.hello.greeted } : part,
  reduce: (part, msg) => (msg.greeting === part.greeting ? part : { ...part, greeting: msg.greeting }),
  readsStatus: false,
  View: ({ part, host }) => (
    <div className="hello" data-greeted={part.greeted.length}>
      <p className="hello-greeting">
        {part.greeting ?? `Nobody greeted in ${host.label() ?? 'a notebook'} yet.`}
      </p>
      {part.greeted.length > 0 && (
        <ul>
          {part.greeted.map(name => (
            <li key={name}>{name}</li>
          ))}
        </ul>
      )}
    </div>
  )
};
