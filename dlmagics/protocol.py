"""The wire protocol between the kernel and the JupyterLab sidebar.

Every message is a JSON object with a ``type``. The full shape of each type is written
down once, in ``protocol.schema.json`` beside this file; the Python and TypeScript tests
both validate real messages against it. The version travels in the comm_open metadata;
a sidebar of another major version refuses the comm rather than half-understand it.
"""

from __future__ import annotations

import logging

COMM_TARGET = "dlmagics"
PROTOCOL_VERSION = "1.11.0"

log = logging.getLogger("dlmagics")


def parse_frontend_message(data: object, allowed_messages: dict) -> dict | None:
    """Check a message from the frontend against the types taken (each with its keys);
    log and return None when it is malformed.

    A bad message must never break the channel, so this never raises.
    """
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        log.warning("dlmagics: ignored a frontend message without a type: %.200r", data)
        return None
    allowed = allowed_messages.get(data["type"])
    if allowed is None:
        log.warning("dlmagics: ignored an unknown frontend message type %.80r", data["type"])
        return None
    extra = set(data) - allowed - {"type"}
    if extra:
        log.warning("dlmagics: ignored %r message with unexpected keys %s", data["type"], sorted(extra))
        return None
    return data


# -- the kernel's messages: each built here, and only here ---------------------------------

def snapshot(kernel: dict, parts: dict) -> dict:
    """Everything the sidebar needs to rebuild itself; ``parts`` are the wings' sections
    (``monitor`` and ``history``, ``quizzes``, ``timeline``, ``benchmarks``, ``training``),
    each left out when its wing has nothing to say."""
    return {"type": "snapshot", "kernel": kernel, **parts}


def sample_message(sample: dict) -> dict:
    return {"type": "sample", "sample": sample}


def monitor_message(state: dict) -> dict:
    return {"type": "monitor", "monitor": state}


def benchmarks_message(results: list[dict]) -> dict:
    return {"type": "benchmarks", "results": results}


def training_message(run: dict) -> dict:
    """A Runs row: a %train_demo run, a %%train cell or a %%ddp cell (whichever wing sent it,
    the snapshot's ``training`` is the last one: ``kept``)."""
    return {"type": "training", "run": run}


def kept(message: dict) -> dict:
    """The snapshot's part that a message sent replaces: a training message's run is the
    snapshot's ``training``, whichever wing sent it ({}: the message is not kept)."""
    return {"training": message["run"]} if message.get("type") == "training" else {}


def quiz_message(summary: dict) -> dict:
    return {"type": "quiz", "quiz": summary}


def quiz_answers_message(quiz_id: str, cell_id: str | None, source: str) -> dict:
    """Since 1.10.0: the text of a quiz's answer cell (its whole answer sheet), for the
    extension to write into the notebook's answer cells of that quiz (nbgrader)."""
    return {"type": "quiz_answers", "quiz": quiz_id, "cell_id": cell_id, "source": source}
