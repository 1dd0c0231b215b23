/**
 * The keyboard and screen readers in dlmagics' output widgets (quizzes, the training
 * dashboard), which the kernel builds from ipywidgets and marks with CSS classes
 * (dlmagics/theme.py):
 * - keys typed in a `dlm-own-keys` widget belong to it: no notebook shortcut fires
 *   (`0 0` would restart the kernel, ArrowDown would move to the next cell), but Save does;
 * - arrow keys move within a choice group (ipywidgets' radios have no shared name,
 *   so the browser does not do it); a choose-one group (checkboxes drawn as radios, whose
 *   labels can hold math) acts as a radio group: the arrows select, a ticked box stays ticked
 *   (Space or a click on it does nothing), ticking one unticks the others, Tab leaves the group;
 * - Enter on an option presses its question's Check;
 * - a grading button (`dlm-grades`: Check, Hand in, Submit) waits until every change the page
 *   sent has reached the kernel (widgetSync.ts), so what is graded is what the page shows;
 * - a `dlm-live` widget is a polite live region as soon as it is on the page, so the
 *   first feedback is read out too (its content is replaced at each answer, it is not);
 * - Stop in a dashboard that a cell waits for (`dlm-waited`) interrupts the kernel: the
 *   kernel reads no widget message while a cell runs, but an interrupt ends the wait and the
 *   run (its history kept), which is what Stop means.
 */
export const OWN_KEYS = 'dlm-own-keys';
export const LIVE = 'dlm-live';
/** A single-choice question's boxes (dlmagics/quiz/kinds/single.py). */
export const CHOOSE_ONE = 'dlm-quiz-choose-one';
/** A button that grades the answers on the page (dlmagics/theme.py). */
export const GRADES = 'dlm-grades';
/** One quiz question: its options and its grading button (dlmagics/theme.py). */
export const QUESTION = 'dlm-quiz-question';
/** Lumino's command registry ignores keydown events from inside such an element. */
const SUPPRESS = 'data-lm-suppress-shortcuts';

const STEP: { [key: string]: number } = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

/** Mark the element a key was typed in, inside one of our widgets, before Lumino (listening
 * on the document) sees the key. The mark must be on the focused element itself: Lumino stops
 * looking for it at the first element that matches a shortcut's selector, and notebook
 * shortcuts match any focused element (`... :focus:not(:read-write)`). */
export function ownKeys(event: KeyboardEvent): void {
  const target = event.target;
  if (target instanceof Element && target.closest(`.${OWN_KEYS}`)) {
    if (isSave(event)) {
      target.removeAttribute(SUPPRESS); // (set by an earlier key on the same element)
      return;
    }
    target.setAttribute(SUPPRESS, '');
    moveWithinGroup(event, target) || leaveChooseOne(event, target) || enterChecks(event, target);
  }
}

/** Save (Accel+S) keeps its meaning in our widgets: none takes it, and a learner who answered
 * by keys saves from where they are (a graded notebook's answers are in the saved file). */
function isSave(event: KeyboardEvent): boolean {
  return (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's';
}

/** The boxes of the choose-one group an element is in, or null. */
function chooseOneBoxes(target: Element): HTMLInputElement[] | null {
  const group = target instanceof HTMLInputElement && target.type === 'checkbox' ? target.closest(`.${CHOOSE_ONE}`) : null;
  return group ? Array.from(group.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) : null;
}

/** Tab in a choose-one group leaves it, as in a radio group: focus goes to its last box (first
 * with Shift), and the browser's own Tab moves on from there. */
function leaveChooseOne(event: KeyboardEvent, target: Element): boolean {
  const boxes = event.key === 'Tab' && !(event.altKey || event.ctrlKey || event.metaKey) ? chooseOneBoxes(target) : null;
  if (!boxes) {
    return false;
  }
  (event.shiftKey ? boxes[0] : boxes[boxes.length - 1]).focus();
  return true;
}

/** Enter on an option (a radio or checkbox in a question) presses the question's grading button. */
function enterChecks(event: KeyboardEvent, target: Element): boolean {
  const choice = target instanceof HTMLInputElement && (target.type === 'checkbox' || target.type === 'radio');
  const plain = !(event.altKey || event.ctrlKey || event.metaKey || event.shiftKey);
  const button = choice && plain && event.key === 'Enter' ? target.closest(`.${QUESTION}`)?.querySelector<HTMLButtonElement>(`button.${GRADES}`) : null;
  if (!button || button.disabled) {
    return false;
  }
  event.preventDefault();
  button.click();
  return true;
}

/** Boxes being unticked by chooseOne itself, and grading clicks replayed after waiting. */
const letThrough = new WeakSet<Element>();
/** Grading buttons whose click is waiting: a second click meanwhile is the same request. */
const held = new WeakSet<Element>();

/** A click on a box of a choose-one group acts as on a radio: a ticked box stays ticked, and
 * ticking one unticks the others, each through its own click so that its widget follows. */
export function chooseOne(event: MouseEvent, target: Element): boolean {
  const boxes = chooseOneBoxes(target);
  if (!boxes || letThrough.has(target)) {
    return false;
  }
  if (!(target as HTMLInputElement).checked) {
    // The click has already flipped it: it was ticked. Keep it so, and tell no widget.
    event.preventDefault();
    event.stopImmediatePropagation();
    return true;
  }
  for (const other of boxes) {
    if (other !== target && other.checked) {
      letThrough.add(other);
      other.click();
      letThrough.delete(other);
    }
  }
  return true;
}

/** A click on a grading button goes to its widget once `settled` resolves: the changes the
 * page sent before it have then reached the kernel. True if it held the click back. */
export function holdGrading(event: MouseEvent, target: Element, settled: (node: Element) => Promise<void>): boolean {
  const button = target.closest(`button.${GRADES}`);
  if (!button || !button.closest(`.${OWN_KEYS}`)) {
    return false;
  }
  if (letThrough.has(button)) {
    return false;
  }
  event.preventDefault();
  event.stopImmediatePropagation();
  if (held.has(button)) {
    return true;
  }
  held.add(button);
  void settled(button).then(() => {
    held.delete(button);
    const still = button as HTMLButtonElement;
    if (still.disabled || !still.isConnected) {
      return; // locked or gone meanwhile: no click to give
    }
    letThrough.add(still);
    still.click();
    letThrough.delete(still);
  });
  return true;
}

/** Arrow keys on a radio or checkbox focus the next (or previous) one of its group, wrapping
 * around; a radio, or a box of a choose-one group, is also selected, as in a native radio
 * group. True if it moved. */
export function moveWithinGroup(event: KeyboardEvent, target: Element): boolean {
  const step = STEP[event.key];
  const modified = event.altKey || event.ctrlKey || event.metaKey || event.shiftKey;
  if (!step || modified || !(target instanceof HTMLInputElement)) {
    return false;
  }
  const kind = target.type;
  // A radio's group is its box; a checkbox's, the question it answers.
  const group =
    kind === 'radio' ? target.closest('.widget-radio-box') : kind === 'checkbox' ? target.closest(`.${QUESTION}`) : null;
  if (!group) {
    return false;
  }
  const inputs = Array.from(group.querySelectorAll<HTMLInputElement>(`input[type="${kind}"]`)).filter(i => !i.disabled);
  const index = inputs.indexOf(target);
  if (index < 0 || inputs.length < 2) {
    return false;
  }
  const next = inputs[(index + step + inputs.length) % inputs.length];
  event.preventDefault();
  next.focus();
  const choosesOne = kind === 'radio' || target.closest(`.${CHOOSE_ONE}`) !== null;
  if (choosesOne && !next.checked) {
    next.click(); // for a choose-one box, chooseOne then unticks the others
  }
  return true;
}

/** Give each `dlm-live` element under root its live-region attributes. */
export function markLiveRegions(root: Element): void {
  const found = root.classList.contains(LIVE) ? [root] : Array.from(root.querySelectorAll(`.${LIVE}`));
  for (const element of found) {
    if (!element.hasAttribute('aria-live')) {
      element.setAttribute('role', 'status');
      element.setAttribute('aria-live', 'polite');
    }
  }
}

/** Whether a click is on Stop in a dashboard that a cell waits for. */
export function stopsWaitedRun(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('.dlm-waited .dlm-stop') !== null;
}

/** What the helpers ask of the kernel of the notebook holding a node. */
export interface KernelOf {
  interrupt(node: Element): void;
  /** Resolves once the widget changes sent to that kernel have arrived (widgetSync.ts). */
  settled(node: Element): Promise<void>;
}

/** Install them on a page. Returns the function that removes them. */
export function installOutputHelpers(win: Window, kernel: KernelOf): () => void {
  const onClick = (event: MouseEvent) => {
    const target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    if (stopsWaitedRun(target)) {
      kernel.interrupt(target);
    } else if (target.closest(`.${OWN_KEYS}`)) {
      chooseOne(event, target) || holdGrading(event, target, kernel.settled);
    }
  };
  // The window's capture phase runs before Lumino's listener on the document.
  win.addEventListener('keydown', ownKeys, true);
  win.addEventListener('click', onClick, true);
  // ipywidgets may add the class after the element is on the page: watch both.
  const observer = new MutationObserver(records => {
    for (const record of records) {
      if (record.type === 'attributes') {
        if ((record.target as Element).classList.contains(LIVE)) {
          markLiveRegions(record.target as Element);
        }
        continue;
      }
      record.addedNodes.forEach(node => {
        if (node instanceof Element) {
          markLiveRegions(node);
        }
      });
    }
  });
  observer.observe(win.document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'] });
  markLiveRegions(win.document.body);
  return () => {
    win.removeEventListener('keydown', ownKeys, true);
    win.removeEventListener('click', onClick, true);
    observer.disconnect();
  };
}
