/**
 * The sidebar's sections, as a registry. A section is one object: the kernel messages it
 * takes and how it checks them, its part of a kernel's state (read from a snapshot,
 * changed by its messages: pure functions, no DOM) and the React view that draws it.
 * The model keeps each section's part under its id; the DL Magics panel draws one accordion
 * section per entry, in rank order, and a section with `ownPanel` gets a left panel of its own.
 *
 * A new section is a module that exports such an object, a schema entry for its messages,
 * and `sections.register(itsSection)` before the sidebar is built.
 */
import type { ChannelStatus } from './model';
import type {
  IKernelMessage,
  IMessageReader,
  ISnapshotMessage
} from './protocol';
import type { NotebookReader } from './reading';
import { gpuSection } from './gpu';
import { quizzesSection } from './quizzes';
import { runsSection } from './runs';
import { timelineSection } from './timelineSection';

/** A snapshot as a section reads it: the fields the protocol names, and any other. */
export type SnapshotData = ISnapshotMessage & { [field: string]: unknown };

/** What the sidebar offers every section's view. */
export interface ISectionHost {
  /** The active notebook's name; null when no notebook is open. */
  label(): string | null;
  /** Scroll the active notebook to a cell and make it active; false when it has no such cell. */
  reveal(cellId: string): boolean;
  /** Send a message to the active notebook's kernel; false when no channel is open. */
  send(message: { type: string }): boolean;
  /** Interrupt the active notebook's kernel (what its stop button does); false when it has none. */
  interrupt(): boolean;
  /** The active notebook's cells and where the learner reads; `changed` emits as they move. */
  readonly reader: Pick<NotebookReader, 'reading' | 'changed' | 'insert' | 'jump'>;
}

/** What a section's view is given. */
export interface ISectionProps<P> {
  /** The section's part of the active notebook's kernel state (`initial` when none). */
  part: P;
  /** Where the sidebar stands with that kernel; null when no notebook is open. */
  status: ChannelStatus | null;
  /** Why the kernel cannot be read ('incompatible'); else null. */
  message: string | null;
  host: ISectionHost;
}

/** One section of the sidebar. `P`: its part of a kernel's state; `M`: its messages. */
export interface ISection<P, M extends IKernelMessage = IKernelMessage>
  extends IMessageReader {
  /** Unique: the key of its part in the state, and of `SidebarModel.sectionChanged`. */
  readonly id: string;
  /** Its title: in the accordion, or atop its own panel. */
  readonly title: string;
  /** Its place, lower first (the built-ins: 100 to 400), in the DL Magics panel or among
   * the left panels. */
  readonly rank: number;
  /** Set for a section drawn in a left panel of its own, as JupyterLab's Table of Contents
   * is, instead of in the DL Magics panel: that panel's icon (SVG text). A section there
   * has the panel's whole height; one in the DL Magics panel shares it with the others. */
  readonly ownPanel?: { readonly icon: string };
  /** The kernel message types it takes (never 'snapshot', which every section reads). */
  readonly types: readonly string[];
  /** One of its messages if `data` has the shape its reduce and view rely on, else null. */
  parse(data: Record<string, unknown>): M | null;
  /** Its part before the kernel said anything, and after a restart (shared: never changed). */
  readonly initial: P;
  /** Its part after a snapshot (a page reload, a reconnect): what the snapshot carries for
   * it, else the part it had (a kernel older than the field). */
  fromSnapshot(part: P, snapshot: SnapshotData): P;
  /** Its part after one of its messages: pure; `part` itself when nothing changed. */
  reduce(part: P, msg: M): P;
  /** Whether its view shows the channel's status: then a status change redraws it. */
  readonly readsStatus: boolean;
  /** Draws its part (a React function component). */
  View(props: ISectionProps<P>): JSX.Element;
}

/** A section of any part and messages, as the registry holds them. */
export type AnySection = ISection<any, any>;

/** The sections in the order shown; each message type belongs to one of them. */
export class SectionRegistry implements Iterable<AnySection> {
  constructor(sections: Iterable<AnySection> = []) {
    for (const section of sections) {
      this.register(section);
    }
  }

  /** The sections in the order shown: by rank, then as registered. */
  get all(): readonly AnySection[] {
    return this._sections;
  }

  [Symbol.iterator](): Iterator<AnySection> {
    return this._sections[Symbol.iterator]();
  }

  get(id: string): AnySection | undefined {
    return this._sections.find(s => s.id === id);
  }

  /** The section that takes messages of `type`. */
  forType(type: string): AnySection | undefined {
    return this._sections.find(s => s.types.includes(type));
  }

  /** Add a section; throws if its id or one of its message types is taken. Returns what
   * removes it again. */
  register(section: AnySection): () => void {
    if (this.get(section.id)) {
      throw new Error(`dlmagics: a sidebar section '${section.id}' is registered already`);
    }
    for (const type of section.types) {
      const owner = type === 'snapshot' ? 'every section' : this.forType(type)?.id;
      if (owner) {
        throw new Error(`dlmagics: '${type}' messages belong to ${owner}, not '${section.id}'`);
      }
    }
    const at = this._sections.findIndex(s => s.rank > section.rank);
    this._sections.splice(at < 0 ? this._sections.length : at, 0, section);
    return () => {
      this._sections = this._sections.filter(s => s !== section);
    };
  }

  private _sections: AnySection[] = [];
}

/** The sidebar's sections: the GPU monitor, the quizzes, the runs (the DL Magics panel) and
 * the timeline (its own panel). */
export const sections = new SectionRegistry([
  gpuSection,
  quizzesSection,
  runsSection,
  timelineSection
]);
