"""What every wing's options share: the error a bad option raises, and the check of a number
that must lie in a range. A wing's command.py raises ``OptionError``; the magic adds its name
and usage line and shows it as IPython's one-line UsageError."""

from __future__ import annotations

import math


class OptionError(ValueError):
    """An option (or setting) that cannot be used; the message, one line, says what is allowed."""

    with_usage = True  # the magic adds its usage line


def finite_number(value) -> bool:
    """A finite int or float as JSON (or YAML) gives it: not a bool, not text, not nan or inf."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def bounded(value, kind: type, low: float, high: float, problem: str, above: bool = False):
    """``value`` (text or a number) read as ``kind`` (int or float) from ``low`` to ``high``
    (``above``: more than ``low``); otherwise ``OptionError(problem)``.

    Refused as well: nan and infinities, True/False, and digits that str.isdigit accepts but
    int cannot read ('²')."""
    if isinstance(value, bool) or (kind is int and isinstance(value, float) and not value.is_integer()):
        raise OptionError(problem)
    try:
        number = kind(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        raise OptionError(problem) from None
    if isinstance(number, float) and not math.isfinite(number):
        raise OptionError(problem)
    if number < low or number > high or (above and number == low):
        raise OptionError(problem)
    return number
