"""Our own format: one quiz document in YAML (.yaml, .yml) or JSON (.json), as
docs/quiz-format.md describes and quiz.schema.json publishes; document.py checks it."""

from __future__ import annotations

from ..document import from_dict
from ..reading import YAML_SUFFIXES, parse


class Native:
    name, order = "dlmagics", 2  # after the formats that claim some of these files by their content
    suffixes = YAML_SUFFIXES + (".json",)

    def recognises(self, path, text) -> bool:
        return True  # any file with our suffixes; what is wrong with it, from_dict says

    def read(self, path, text):
        return from_dict(parse(path, text), str(path))


FORMAT = Native()
