"""The quiz as ipywidgets: one box per question, feedback from the kernel.

The widgets hold only what a learner may see: prompts, option texts, their own answers and
the feedback they earned. Which option is right, the accepted answers, the explanations of
unanswered questions stay in the Tutor, in the kernel. Inputs are native (radio buttons,
checkboxes, text boxes, buttons), so the quiz works from the keyboard; feedback carries a
symbol and words as well as a colour, inside an ARIA live region (the widgets' CSS classes in
theme.py tell the JupyterLab extension which ones, and that keys typed here are the quiz's).
"""

from __future__ import annotations

import html
import uuid

from .codecheck import CheckStopped
from .grading import grade as grade_answer
from .kinds import scored
from .shuffle import option_order
from .text import to_html, to_inline_html, to_text
from .tutor import Tutor
from .. import theme

IPYWIDGETS_VIEW = "application/vnd.jupyter.widget-view+json"
OK, PART, WRONG, NOTE = "dlm-quiz-ok", "dlm-quiz-part", "dlm-quiz-wrong", "dlm-quiz-note"
# A note (a hint, the solution, a kept answer) is read in full: body text, marked by its words.
COLOURS = {OK: theme.color("ok"), PART: theme.color("warn"), WRONG: theme.color("error"), NOTE: f"color:{theme.TEXT}"}
# A single-choice question's boxes look like radios (kinds/single.py says why they are boxes).
ROUND = (".dlm-quiz-choose-one input[type=checkbox]{appearance:none;-webkit-appearance:none;flex:none;width:14px;"
         "height:14px;margin:0 6px 0 2px;border-radius:50%;border:1.5px solid var(--jp-ui-font-color2,#757575);"
         "background:var(--jp-layout-color1,#fff)}"
         ".dlm-quiz-choose-one input[type=checkbox]:checked{border-color:var(--jp-brand-color1,#1976d2);"
         "background:radial-gradient(var(--jp-brand-color1,#1976d2) 40%,var(--jp-layout-color1,#fff) 48%)}"
         ".dlm-quiz-choose-one input[type=checkbox]:focus-visible{outline:2px solid var(--jp-brand-color1,#1976d2);"
         "outline-offset:1px}.dlm-quiz-choose-one input[type=checkbox]:disabled{opacity:.55}")
TABLES = (f".dlm-quiz-prompt table{{border-collapse:collapse;margin:4px 0}}.dlm-quiz-prompt th,.dlm-quiz-prompt td"
          f"{{border:1px solid {theme.BORDER};padding:2px 8px;text-align:left}}")  # an author's data table, readable
# An option's label wraps, its box beside the first line: ipywidgets draws a checkbox's label
# on one line cut with "…", which hides the end of a long option at a narrow width.
_BOX = f".{theme.QUESTION} .widget-checkbox"
WRAP = (f"{_BOX}{{height:auto}}{_BOX} label{{display:flex;align-items:flex-start;min-width:0;white-space:normal;"
        f"overflow:visible;line-height:20px;padding:2px 0}}{_BOX} label>span{{min-width:0;overflow-wrap:anywhere}}"
        f"{_BOX} input[type=checkbox]{{flex:none;align-self:flex-start;margin-top:3px}}")
STYLE = (f"<style>.dlm-quiz-q{{border-left:3px solid {theme.BORDER};padding-left:8px;margin:6px 0}}"
         f".dlm-quiz-q p{{margin:2px 0}}{ROUND}{WRAP}{TABLES}</style>")


def feedback_html(kind: str, headline: str, body: str = "") -> str:
    head = f"<b>{html.escape(headline)}</b>" if headline else ""
    return f'<div class="{kind}" style="{COLOURS[kind]}">{head}{to_html(body) if body else ""}</div>'


def grade_html(grade, attempts: int, counted: bool = True) -> str:
    if not grade.valid:
        return feedback_html(NOTE, "\u26a0 " + grade.feedback)
    if not counted:  # a design answer: kept, and the rubric to compare it with
        return feedback_html(NOTE, "\u270e Kept (a design answer counts apart from the score).", grade.feedback)
    if grade.correct:
        return feedback_html(OK, "\u2713 Correct.", grade.feedback)
    if grade.score > 0:
        return feedback_html(PART, f"\u25d0 Partly right ({grade.score:.0%}).", grade.feedback)
    return feedback_html(WRONG, f"\u2717 Not yet (attempt {attempts}).", grade.feedback)


class QuestionView:
    def __init__(self, view: "QuizView", number: int, question):
        import ipywidgets as w

        self.view, self.q, self.tutor = view, question, view.tutor
        self.counted = scored(question)
        self.prompt = w.HTMLMath(STYLE + f'<div class="dlm-quiz-prompt">{to_html(f"**{number}.** " + question.prompt)}</div>')
        self.input = self._make_input(w)
        self.check = w.Button(description="Check", button_style="primary", tooltip="Grade this answer")
        self.check.add_class(theme.GRADES)
        self.hint = w.Button(description="Hint", icon="lightbulb-o", tooltip="Show the next hint")
        self.reveal = w.Button(description="Solution", icon="eye", tooltip="Show the solution")
        self.hints = w.HTMLMath("")
        self.feedback = w.HTMLMath("")
        self.feedback.add_class(theme.LIVE)  # there from the start, so the first feedback is read out
        self.check.on_click(lambda _: self.on_check())
        self.hint.on_click(lambda _: self.on_hint())
        self.reveal.on_click(lambda _: self.on_reveal())
        if not self.counted:  # no key to check against: the answer is handed in, the rubric comes back
            self.check.description, self.check.tooltip = "Hand in", "Keep this answer and see the rubric"
        reveal = [self.reveal] if self.counted else []
        buttons = [] if view.tutor.mode == "exam" else [self.check] + ([self.hint] if question.hints else []) + reveal
        body = [self.prompt] + ([self.input] if self.input is not None else []) + [w.HBox(buttons), self.hints, self.feedback]
        self.widget = w.VBox(body, layout=w.Layout(margin="4px 0 10px 0"))
        self.widget.add_class(theme.QUESTION)
        self.restore()

    def _make_input(self, w):
        """The input of the question's type (kinds/), holding the stored answer from the start
        (no update message to follow)."""
        from .kinds import KINDS

        self.entry = KINDS[self.q.type].make_input(w, self.q, self.tutor.state(self.q.id).answer)
        self.controls = self.entry.controls
        return self.entry.widget

    # -- values ------------------------------------------------------------------------
    def value(self):
        return self.entry.value()

    def set_enabled(self, enabled: bool) -> None:
        for widget in self.controls + [self.check]:
            widget.disabled = not enabled

    # -- what the progress says ----------------------------------------------------------
    def restore(self) -> None:
        """Show the stored state of the question (after a restart, in a second view, after a submit)."""
        state = self.tutor.state(self.q.id)
        shown = self.tutor.hints_shown(self.q.id)
        self.hints.value = "".join(feedback_html(NOTE, f"Hint {i + 1}: ", h) for i, h in enumerate(shown))
        if self.tutor.mode == "exam":
            self.feedback.value = self._exam_result() if self.tutor.exam_over else ""
        elif not self.counted and state.attempts:
            self.feedback.value = grade_html(grade_answer(self.q, state.answer), state.attempts, counted=False)
        elif state.correct:
            self.feedback.value = feedback_html(OK, "\u2713 Correct.", self.q.explanation)
        elif state.solution_shown:
            self.feedback.value = feedback_html(NOTE, "", self.tutor.solution(self.q.id) or "")  # it says "Solution:"
        elif state.attempts:
            self.feedback.value = feedback_html(WRONG, f"\u2717 Not yet ({state.attempts} attempt"
                                                       f"{'s' if state.attempts > 1 else ''} so far).")
        self.refresh_buttons()

    def _exam_result(self) -> str:
        state = self.tutor.state(self.q.id)
        if not self.counted:
            return grade_html(grade_answer(self.q, state.answer), state.attempts, counted=False)
        solution = self.tutor.solution(self.q.id) or ""
        if state.correct:
            return feedback_html(OK, "\u2713 Correct.", self.q.explanation)
        headline = f"\u25d0 Partly right ({state.score:.0%})." if state.score > 0 else "\u2717 Wrong."
        return feedback_html(PART if state.score > 0 else WRONG, headline, solution)

    def refresh_buttons(self) -> None:
        qid = self.q.id
        self.hint.disabled = self.tutor.hints_left(qid) <= 0
        self.reveal.disabled = not self.tutor.may_show_solution(qid) or self.tutor.state(qid).correct
        self.set_enabled(not self.tutor.locked(qid))

    # -- clicks ------------------------------------------------------------------------
    def on_check(self) -> None:
        try:
            grade = self.tutor.answer(self.q.id, self.value())
        except OSError as error:  # the store could not be written: say so, grade nothing
            self.feedback.value = feedback_html(NOTE, f"\u26a0 Not graded: {error}")
            return
        except CheckStopped as stopped:  # Ctrl-C in the learner's function
            self.feedback.value = feedback_html(NOTE, f"\u23f9 Stopped: {stopped}.")
            return
        self.feedback.value = grade_html(grade, self.tutor.state(self.q.id).attempts, self.counted)
        if self.counted and not grade.correct and grade.valid and self.tutor.may_show_solution(self.q.id):
            self.feedback.value += feedback_html(NOTE, "The solution is available with the Solution button.")
        self.refresh_buttons()
        self.view.refresh_score()

    def on_hint(self) -> None:
        try:
            text = self.tutor.hint(self.q.id)
        except OSError as error:  # as Check: what is not recorded is not shown
            self.feedback.value = feedback_html(NOTE, f"\u26a0 No hint: {error}")
            return
        if text is not None:
            level = self.tutor.state(self.q.id).hints
            self.hints.value += feedback_html(NOTE, f"Hint {level}: ", text)
        self.refresh_buttons()

    def on_reveal(self) -> None:
        try:
            text = self.tutor.solution(self.q.id)
        except OSError as error:
            self.feedback.value = feedback_html(NOTE, f"\u26a0 No solution: {error}")
            return
        if text is not None:
            self.feedback.value = feedback_html(NOTE, "", text)  # it says "Solution:"
        self.refresh_buttons()


class QuizView:
    def __init__(self, tutor: Tutor):
        import ipywidgets as w

        self.tutor = tutor
        self.show = None  # IPython's display, once published: the static copy follows each grading
        self.copy_id = f"dlm-quiz-copy-{uuid.uuid4().hex}"
        quiz = tutor.quiz
        intro = f"<div>{to_html(quiz.intro)}</div>" if quiz.intro else ""
        intro += skipped_html(quiz)
        self.header = w.HTMLMath(
            f'<div class="dlm-quiz-head"><b>{html.escape(quiz.title)}</b> '
            f'<span style="{theme.muted()}">({html.escape(quiz.id)}, {html.escape(tutor.mode)} mode)</span>{intro}</div>')
        self.score = w.HTML("")
        self.score.add_class(theme.LIVE)
        self.questions = [QuestionView(self, i + 1, q) for i, q in enumerate(quiz.questions)]
        footer = []
        if tutor.mode == "exam":
            self.submit = w.Button(description="Submit answers", button_style="primary",
                                   tooltip="Grade every answer; feedback comes after")
            self.submit.on_click(lambda _: self.on_submit())
            self.submit.add_class(theme.GRADES)
            self.submit.disabled = tutor.exam_over
            footer.append(self.submit)
        self.widget = w.VBox([self.header, self.score] + [qv.widget for qv in self.questions] + footer)
        self.widget.add_class("dlm-quiz")
        self.widget.add_class(theme.OWN_KEYS)
        self._score()

    def refresh_score(self) -> None:
        self._score()
        if self.show is not None:  # the copy a saved notebook keeps shows the latest score
            self.show(self.copy(), raw=True, **self.copy_display(), update=True)

    def _score(self) -> None:
        s = self.tutor.summary()
        extra = ""
        if self.tutor.mode == "exam":
            left = self.tutor.quiz.attempts - s["submissions"]
            extra = f" \u00b7 {left} submission{'s' if left != 1 else ''} left"
            if not self.tutor.exam_over:
                self.score.value = f'<div class="dlm-quiz-score">{s["total"]} questions{extra}</div>'
                return
        written, designs = self.tutor.progress.designs()
        if designs:
            extra += f" \u00b7 {written} of {designs} design answer{'s' if designs > 1 else ''} written"
        self.score.value = (f'<div class="dlm-quiz-score">{s["answered"]} of {s["total"]} answered \u00b7 '
                            f'{s["correct"]} correct \u00b7 score {s["score"]:.0%}{extra}</div>')

    def on_submit(self) -> None:
        if self.tutor.exam_over:
            return
        try:
            self.tutor.submit({qv.q.id: qv.value() for qv in self.questions})
        except CheckStopped as stopped:
            self.score.value = feedback_html(NOTE, f"\u23f9 Not submitted: {stopped}.")
            return
        except OSError as error:
            self.score.value = feedback_html(NOTE, f"\u26a0 Not submitted: {error}")
            return
        for qv in self.questions:
            qv.restore()
        self.submit.disabled = self.tutor.exam_over
        self.refresh_score()

    def outputs(self) -> list[dict]:
        """What the cell shows, as two outputs: the widget, then a static copy of the questions
        (no answers) for places that cannot run widgets: an nbconvert export offline, GitHub,
        a terminal. Two outputs, because an exporter that finds the widget's saved state
        draws the widget and nothing else of its output. Where the widget is drawn, a CSS rule
        (in the copy itself and in the extension) hides the copy. As text, the widget says in
        one line what a terminal cannot show."""
        widget = dict(self.widget._repr_mimebundle_())
        widget.pop("text/html", None)
        widget["text/plain"] = (f"%dlquiz {self.tutor.quiz.id}: a terminal cannot show the quiz's inputs; answer it "
                                "in JupyterLab, Notebook 7 or VS Code (your answers are kept between sessions).")
        # Our extension draws this one (preferred there): the widget while its model lives in the
        # kernel, nothing once it is gone (a reopened notebook), so no "model not found".
        widget[theme.WIDGET_VIEW] = widget[IPYWIDGETS_VIEW]
        return [widget, self.copy()]

    def copy(self) -> dict:
        return {"text/html": static_html(self.tutor), "text/plain": static_text(self.tutor)}

    def copy_display(self) -> dict:
        """The static copy's display id, in its metadata too: JupyterLab applies an update sent
        after the cell ran (from a Check) only through our extension, which finds it by that."""
        return {"display_id": self.copy_id, "metadata": {theme.COPY_KEY: self.copy_id}}

    def publish(self, show) -> None:
        """Show the widget and its static copy with IPython's ``display``; later gradings update the copy."""
        widget, copy = self.outputs()
        show(widget, raw=True)
        show(copy, raw=True, **self.copy_display())
        self.show = show


# Hides the static copy right after a drawn quiz widget: JupyterLab's and nbconvert's lab
# template wrap each output in .jp-OutputArea-child (the extension's CSS has the same rule).
HIDE_COPY = ("<style>.jp-OutputArea-child:has(.dlm-quiz) + .jp-OutputArea-child:has(.dlm-quiz-static)"
             "{display:none}</style>")


def skipped_html(quiz) -> str:
    """The questions of an imported file that were left out, each with why: the author's to mend;
    and those read in a way the author should know."""
    parts = []
    if quiz.skipped:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in quiz.skipped)
        parts.append(f'<div class="{NOTE}" style="{COLOURS[NOTE]}">{len(quiz.skipped)} question'
                     f'{"s" if len(quiz.skipped) > 1 else ""} of {html.escape(quiz.path)} could not be used and '
                     f"{'are' if len(quiz.skipped) > 1 else 'is'} left out:<ul>{items}</ul></div>")
    if quiz.notes:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in quiz.notes)
        parts.append(f'<div class="{NOTE}" style="{COLOURS[NOTE]}">Read from {html.escape(quiz.path)}:'
                     f"<ul>{items}</ul></div>")
    return "".join(parts)


def static_html(tutor: Tutor) -> str:
    quiz, s = tutor.quiz, tutor.summary()
    parts = [f"{HIDE_COPY}<div class='dlm-quiz-static'><b>{html.escape(quiz.title)}</b> "
             f"<i>({html.escape(quiz.id)}: {s['answered']} of {s['total']} answered, score {s['score']:.0%}; "
             f"run the cell to answer)</i><ol>"]
    for q in quiz.questions:
        options = "".join(f"<li>{to_inline_html(q.options[i].text)}</li>" for i in option_order(q))
        parts.append(f"<li>{to_html(q.prompt)}{f'<ul>{options}</ul>' if options else ''}</li>")
    return "".join(parts) + "</ol></div>"


def static_text(tutor: Tutor) -> str:
    quiz, s = tutor.quiz, tutor.summary()
    lines = [f"{quiz.title} ({quiz.id}): {s['answered']} of {s['total']} answered, score {s['score']:.0%}"]
    lines += [f"left out of {quiz.path}: {line}" for line in quiz.skipped]
    lines += [f"read from {quiz.path}: {line}" for line in quiz.notes]
    for i, q in enumerate(quiz.questions, 1):
        lines.append(f"{i}. {to_text(q.prompt)}")
        lines += [f"   - {to_text(q.options[k].text)}" for k in option_order(q)]
    return "\n".join(lines)
