"""Read jupyterquiz's JSON question lists, so quizzes written for it work here, graded as it
grades them (github.com/jmshea/jupyterquiz: its README, schema/ and js/ say how).

- multiple_choice and many_choice: an option is ``answer`` text, ``code``, or both; as in its
  JavaScript, the number of correct options decides (one: pick one; more: tick all);
- numeric: values and ranges [low, high), right or wrong, each with its feedback, checked in
  order, the first match deciding; ``precision`` rounds the learner's number and the values to
  that many significant figures (``"precision": 0``, from jupyterquiz before 2.8, which counted
  decimal places: to a whole number, with a note); the ``"type": "default"`` answer's feedback
  when none matched;
- string: answers right or wrong with feedback, ``match_case``, ``fuzzy_threshold``, the default.

A question that cannot be used is left out with a line naming it and the author's field
(``answers[2].value``); the others load. Layout options (``answer_cols``, ``input_width``) have
nothing to set here and are ignored; options are shuffled per learner (shuffle.py) as
jupyterquiz's shuffle_answers does by default.

Its files are .json (a YAML list reads too): a list of questions at the top, where ours has a
mapping. The quiz takes its id from the file's name and its title from the name made readable
(``jq_week1.json``: "JQ week 1"); a question's id is its own ``id`` if it has one, else a slug of
its text ("enter-the-value-of-pi-to-2"), made unique within the file, so a teacher's export names
each question by what it asks and an id does not move when another question is added.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from ..document import from_dict, read_question
from ..model import QuizFormatError
from ..reading import ID_PATTERN, YAML_SUFFIXES, Reader, id_from_name, parse

TYPES = ("multiple_choice", "many_choice", "numeric", "string")


class JupyterQuiz:
    name, order = "jupyterquiz", 1  # asked before ours: it claims the files that hold a list
    suffixes = (".json",) + YAML_SUFFIXES

    def recognises(self, path, text) -> bool:
        return starts_a_list(text, yaml=path.suffix.lower() in YAML_SUFFIXES)

    def read(self, path, text):
        where = str(path)
        document, skipped, notes = convert(parse(path, text), default_id=id_from_name(path.stem), where=where)
        return replace(from_dict(document, where), skipped=tuple(skipped), notes=tuple(notes))


FORMAT = JupyterQuiz()


def starts_a_list(text: str, yaml: bool) -> bool:
    """Whether the text's top value is a list, from its first token (not parsing the rest)."""
    if not yaml:
        return text.lstrip(" \t\r\n\ufeff").startswith("[")
    import yaml as pyyaml

    loader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    preamble = (pyyaml.StreamStartToken, pyyaml.DirectiveToken, pyyaml.DocumentStartToken, pyyaml.AnchorToken,
                pyyaml.TagToken)
    starts = (pyyaml.BlockSequenceStartToken, pyyaml.FlowSequenceStartToken, pyyaml.BlockEntryToken)
    try:
        first = next((t for t in pyyaml.scan(text, Loader=loader) if not isinstance(t, preamble)), None)
    except pyyaml.YAMLError:
        return False  # not valid YAML: ours says where
    return isinstance(first, starts)


class Skip(ValueError):
    """A question left out; the message says which field of the author's and why."""


WHOLE_NUMBER_NOTE = ("'precision': 0 is read as \"to a whole number\" (jupyterquiz before 2.8 counted decimal "
                     "places; 2.8 counts significant figures, from 1): an answer counts as the whole number it "
                     "rounds to, 2.5 up to 3.5 as 3")


def convert(items: list, default_id: str, where: str) -> tuple[dict, list[str], list[str]]:
    """A jupyterquiz list as one of our quiz documents, a line per question left out, and a
    line per question read in a way its author should know (an old file's precision)."""
    questions, skipped, notes = [], [], []
    for index, (item, qid) in enumerate(zip(items, question_ids(items))):
        try:
            question = _convert(item, qid, index + 1)
            read_question(Reader(where), question, index)  # our own rules too (one more safety net)
            questions.append(question)
            if _to_whole_number(item):
                notes.append(f"question #{index + 1}: {WHOLE_NUMBER_NOTE}")
        except (Skip, QuizFormatError) as problem:
            skipped.append(f"question #{index + 1}: {problem}")
    if not questions:
        more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
        first = skipped[0] if skipped else "the list is empty"
        raise QuizFormatError(f"{where}: no question of this jupyterquiz file can be used: {first}{more}")
    document = {"id": default_id, "title": readable_title(default_id),
                "topic": "imported from jupyterquiz", "questions": questions}
    return document, skipped, notes


WORDS_IN_ID = 6


def question_ids(items: list) -> list[str]:
    """Each question's id: its own (a valid ``id``), else the first words of its text as a slug;
    a repeat gets -2, -3... in file order. Every item gets one, so fixing a question left out
    renames no other."""
    owns = [item.get("id") if isinstance(item, dict) else None for item in items]
    owns = [own if isinstance(own, str) and ID_PATTERN.match(own) else None for own in owns]
    ids, taken = [], {own for own in owns if own}  # an author's own ids first: no slug takes one
    for index, (item, own) in enumerate(zip(items, owns)):
        if own and own not in ids:
            ids.append(own)
            continue
        text = item.get("question") if isinstance(item, dict) and isinstance(item.get("question"), str) else ""
        words = re.findall(r"[a-z0-9]+", text.lower())  # $\pi$ reads as pi
        base = (own or "-".join(words[:WORDS_IN_ID])[:48].strip("-") or f"question-{index + 1}")[:56]
        qid, n = base, 2
        while qid in taken:
            qid, n = f"{base}-{n}", n + 1
        taken.add(qid)
        ids.append(qid)
    return ids


def readable_title(stem: str) -> str:
    """A file name as a title: separators become spaces, a number stands apart from its word,
    a short word without vowels is an acronym (jq_week1 -> JQ week 1)."""
    words = re.findall(r"[a-z]+|[0-9]+", stem.lower())
    shown = [w.upper() if len(w) <= 3 and not re.search("[aeiouy0-9]", w) else w for w in words]
    title = " ".join(shown) or stem
    return title[0].upper() + title[1:]


def _convert(item, qid: str, number: int) -> dict:
    if not isinstance(item, dict):
        raise Skip(f"is {type(item).__name__}, not a question (an object with question, type and answers)")
    kind = item.get("type")
    if kind not in TYPES:
        raise Skip(f"'type' is {kind!r}; it is one of {', '.join(TYPES)}")
    prompt = _text(item, "question", f"Question {number}")  # jupyterquiz allows an empty question
    code = _text(item, "code", "")
    if code:
        prompt += "\n\n" + _code(code)
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers:
        raise Skip("'answers' must be a non-empty list")
    for i, answer in enumerate(answers):
        if not isinstance(answer, dict):
            raise Skip(f"'answers[{i}]' must be an object, got {answer!r:.40}")
    base = {"id": qid, "prompt": prompt}
    if kind == "numeric":
        return {**base, **_numeric(item, answers)}
    if kind == "string":
        return {**base, **_string(answers)}
    return {**base, **_choices(answers)}


def _choices(answers: list) -> dict:
    options, seen = [], {}
    for i, answer in enumerate(answers):
        text, code = _text(answer, "answer", "", f"answers[{i}]."), _text(answer, "code", "", f"answers[{i}].")
        label = "\n\n".join(part for part in (text, _code(code) if code else "") if part)
        if not label.strip():
            raise Skip(f"'answers[{i}]' has neither 'answer' nor 'code' text")
        if label in seen:
            raise Skip(f"'answers[{i}]' repeats 'answers[{seen[label]}]'")
        seen[label] = i
        options.append({"text": label, "correct": _flag(answer, "correct", f"answers[{i}]."),
                        "feedback": _text(answer, "feedback", "", f"answers[{i}].")})
    if len(options) < 2:
        raise Skip("a choice question needs at least two answers")
    right = sum(option["correct"] for option in options)
    if not right:
        raise Skip("no answer is marked \"correct\": true, so none could be graded right")
    return {"type": "single" if right == 1 else "multiple", "options": options}


def _to_whole_number(item: dict) -> bool:
    """An old jupyterquiz file's "precision": 0: no significant figures, but no decimals."""
    return item.get("type") == "numeric" and _number(item.get("precision")) == 0


def _whole(number: float) -> int:
    """The whole number an answer counts as under "precision": 0 (halves up)."""
    return math.floor(number + 0.5)


def _numeric(item: dict, answers: list) -> dict:
    found: dict = {"type": "numeric"}
    precision = item.get("precision")
    whole = _to_whole_number(item)  # each value and range becomes the numbers that round into it
    if precision is not None and not whole:
        if not (_number(precision) is not None and float(precision).is_integer() and 1 <= float(precision) <= 17):
            raise Skip(f"'precision' is {precision!r}; it counts significant figures, a whole number from 1 to 17")
        found["precision"] = int(float(precision))
    responses = []
    for i, answer in enumerate(answers):
        at = f"answers[{i}]"
        response = {"correct": _flag(answer, "correct", at + "."), "feedback": _text(answer, "feedback", "", at + ".")}
        if "value" in answer:  # as in its JavaScript: a value wins over a range, whatever "type" says
            value = _number(answer["value"])
            if value is None:
                raise Skip(f"'{at}.value' is {answer['value']!r:.40}, not a number")
            if whole:
                responses.append({"range": [_whole(value) - 0.5, _whole(value) + 0.5], **response})
            else:
                responses.append({"value": value, **response})
        elif "range" in answer:
            ends = answer["range"]
            low, high = (_number(ends[0]), _number(ends[1])) if isinstance(ends, list) and len(ends) == 2 else (None, None)
            if low is None or high is None:
                raise Skip(f"'{at}.range' is {ends!r:.60}; it must be [low, high], two numbers")
            if not low < high:
                raise Skip(f"'{at}.range' [{low:g}, {high:g}) holds no number: low must be below high")
            if whole:  # the whole numbers in [low, high), and every number that rounds to one of them
                if math.ceil(low) >= math.ceil(high):
                    raise Skip(f"'{at}.range' [{low:g}, {high:g}) holds no whole number, and 'precision': 0 "
                               "rounds every answer to one")
                low, high = math.ceil(low) - 0.5, math.ceil(high) - 0.5
            responses.append({"range": [low, high], **response})
        elif answer.get("type") == "default":
            found["otherwise"] = response["feedback"]
        else:
            raise Skip(f"'{at}' has no 'value' or 'range', and is not \"type\": \"default\"")
    if not any(response["correct"] for response in responses):
        raise Skip("no value or range is marked \"correct\": true")
    return {**found, "responses": responses}


def _string(answers: list) -> dict:
    found: dict = {"type": "text"}
    responses = []
    for i, answer in enumerate(answers):
        at = f"answers[{i}]"
        if answer.get("type") == "default":
            found["otherwise"] = _text(answer, "feedback", "", at + ".")
            continue
        text = answer.get("answer")
        if _number(text) is not None and not isinstance(text, str):
            text = f"{text:g}"  # "answer": 42 means the text 42
        if not isinstance(text, str) or not text.strip():
            raise Skip(f"'{at}.answer' is {text!r:.40}; it must be the text of an answer")
        response = {"answer": text, "correct": _flag(answer, "correct", at + "."),
                    "feedback": _text(answer, "feedback", "", at + "."),
                    "case_sensitive": _flag(answer, "match_case", at + ".")}
        threshold = answer.get("fuzzy_threshold")
        if threshold not in (None, 0):  # 0 is off, as in its JavaScript
            if _number(threshold) is None or isinstance(threshold, str) or not 0 < threshold <= 1:
                raise Skip(f"'{at}.fuzzy_threshold' is {threshold!r:.40}; it is a number from 0 to 1")
            response["fuzzy"] = float(threshold)
        responses.append(response)
    if not any(response["correct"] for response in responses):
        raise Skip("no answer is marked \"correct\": true")
    return {**found, "responses": responses}


def _text(item: dict, key: str, default: str, at: str = "") -> str:
    value = item.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise Skip(f"'{at}{key}' must be text, got {value!r:.40}")
    return value if value.strip() else default


def _flag(item: dict, key: str, at: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise Skip(f"'{at}{key}' must be true or false, got {value!r:.40}")
    return value


def _number(value) -> float | None:
    """A finite number, from a number or from text that holds one ("-15": its JavaScript
    compares with ==, which reads the text as a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def _code(code: str) -> str:
    """jupyterquiz's code as Markdown: inline if one line, else a block."""
    if "\n" not in code.strip() and "`" not in code:
        return f"`{code.strip()}`"
    fence = "````" if "```" in code else "```"
    return f"{fence}python\n{code.rstrip()}\n{fence}"
