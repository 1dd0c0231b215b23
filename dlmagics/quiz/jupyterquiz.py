"""Read jupyterquiz's JSON question lists, so quizzes written for it work here.

jupyterquiz (github.com/jmshea/jupyterquiz) keeps a list of questions with types
multiple_choice, many_choice, numeric and string. They map onto ours; what has no
counterpart (shuffling, column layout, fuzzy matching, feedback on wrong numeric ranges)
is dropped, and grading moves into the kernel.
"""

from __future__ import annotations

from ..options import finite_number
from .model import QuizFormatError


def convert(items: list, default_id: str, where: str) -> dict:
    """A jupyterquiz list as one of our quiz documents (checked later by from_dict)."""
    questions = []
    for index, item in enumerate(items):
        label = f"{where}: question #{index + 1}"
        if not isinstance(item, dict) or "question" not in item or "type" not in item:
            raise QuizFormatError(f"{label}: a jupyterquiz question needs 'question' and 'type'")
        questions.append(_question(item, f"q{index + 1}", label))
    return {"id": default_id, "title": default_id.replace("-", " ").replace("_", " ").capitalize(),
            "topic": "imported from jupyterquiz", "questions": questions}


def _question(item: dict, qid: str, label: str) -> dict:
    prompt = str(item["question"])
    if item.get("code"):
        prompt += f"\n\n```python\n{item['code']}\n```"
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers:
        raise QuizFormatError(f"{label}: 'answers' must be a non-empty list")
    kind = item["type"]
    if kind in ("multiple_choice", "many_choice"):
        options = [{"text": str(a.get("answer", "")), "correct": bool(a.get("correct", False)),
                    "feedback": str(a.get("feedback", ""))} for a in answers if isinstance(a, dict)]
        right = sum(o["correct"] for o in options)
        single = kind == "multiple_choice" and right == 1
        return {"id": qid, "type": "single" if single else "multiple", "prompt": prompt, "options": options}
    if kind == "numeric":
        for a in answers:
            if not (isinstance(a, dict) and a.get("correct")):
                continue
            if a.get("type") == "value":
                precision = item.get("precision")
                if precision and not (finite_number(precision) and float(precision).is_integer() and 1 <= precision <= 15):
                    raise QuizFormatError(f"{label}: 'precision' is {precision!r}; it counts significant figures, 1 to 15")
                if not finite_number(a.get("value")):
                    raise QuizFormatError(f"{label}: a numeric answer's 'value' is {a.get('value')!r}, not a number")
                tolerance = {"sig_figs": int(precision)} if precision else {"rel": 1e-9}
                return {"id": qid, "type": "numeric", "prompt": prompt, "answer": a.get("value"),
                        "tolerance": tolerance, "explanation": str(a.get("feedback", ""))}
            if a.get("type") == "range":
                ends = a.get("range")
                if not (isinstance(ends, list) and len(ends) == 2 and all(map(finite_number, ends)) and ends[0] <= ends[1]):
                    raise QuizFormatError(f"{label}: 'range' is {ends!r}; it must be [low, high], two numbers")
                low, high = ends
                return {"id": qid, "type": "numeric", "prompt": prompt, "answer": (low + high) / 2,
                        "tolerance": {"abs": (high - low) / 2}, "explanation": str(a.get("feedback", ""))}
        raise QuizFormatError(f"{label}: a numeric question needs a correct value or range")
    if kind == "string":
        accepted = [str(a["answer"]) for a in answers if isinstance(a, dict) and a.get("correct") and "answer" in a]
        if not accepted:
            raise QuizFormatError(f"{label}: a string question needs a correct answer")
        case = any(a.get("match_case") for a in answers if isinstance(a, dict))
        return {"id": qid, "type": "text", "prompt": prompt, "answer": accepted, "case_sensitive": case}
    raise QuizFormatError(f"{label}: jupyterquiz type {kind!r} is not one of multiple_choice, many_choice, "
                          "numeric, string")
