"""Run the learner's function or read their variable against a question's test cases.

The learner's code runs in the kernel (it is their code, in their namespace), with a time
limit (``time_limit``: SIGALRM in the main thread, so time.sleep(20) stops too). An exception in their code becomes feedback
that names the call and the error, never a traceback through dlmagics.
"""

from __future__ import annotations

import copy
import ctypes
import math
import signal
import threading
from contextlib import contextmanager


class CheckTimeout(BaseException):
    """Raised into the learner's code when it runs past the time limit (a BaseException
    so that a bare ``except Exception`` in their loop cannot swallow it)."""


class CheckStopped(Exception):
    """Ctrl-C (the kernel's interrupt) during a check: the answer is neither graded nor recorded."""


def run_cases(question, namespace: dict) -> tuple[float | None, str]:
    """(the share of cases passed, feedback in Markdown); the share is None when there is
    nothing to check yet (the name is not defined), which counts as no attempt."""
    name = question.name
    if name not in namespace:
        what = "function" if question.kind == "function" else "variable"
        return None, f"Define the {what} `{name}` in a cell above and run that cell, then press Check."
    target = namespace[name]
    if question.kind == "function" and not callable(target):
        return 0.0, f"`{name}` is a {type(target).__name__}, not a function."
    passed, lines = 0, []
    for case in question.cases:
        call = _describe(name, case) if question.kind == "function" else f"`{name}`"
        try:
            got = _with_time_limit(lambda: target(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
                                   if question.kind == "function" else target, question.time_limit)
        except CheckTimeout:
            lines.append(f"{call} ran longer than {question.time_limit:g} s (an endless loop?)")
            break
        except KeyboardInterrupt:  # the learner stopped it: no grade, nothing recorded
            raise CheckStopped(f"{call} was interrupted; nothing was graded or saved") from None
        except Exception as error:  # the learner's bug, shown to them
            lines.append(f"{call} raised {type(error).__name__}: {error}")
            continue
        if same(got, case.expected, question.tolerance):
            passed += 1
        else:
            lines.append(f"{call} gave `{_short(got)}`, expected `{_short(case.expected)}`")
    share = passed / len(question.cases)
    head = f"{passed} of {len(question.cases)} checks passed."
    return share, head + ("".join(f"\n- {line}" for line in lines[:3]) if lines else "")


def _with_time_limit(work, seconds: float):
    """Run ``work()`` here, stopped by CheckTimeout after ``seconds``."""
    with time_limit(seconds):
        return work()


@contextmanager
def time_limit(seconds: float):
    """Raise CheckTimeout in this block after ``seconds``. In the main thread (where a kernel
    handles a Check click) by SIGALRM: that also stops C calls that wait or look at signals
    (time.sleep, a regular expression that backtracks); elsewhere by an exception set into
    this thread, which stops Python code only."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def expire(_signum, _frame):
            raise CheckTimeout()

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        return
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False}

    def expire_thread():
        with lock:
            if not state["done"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(CheckTimeout))

    timer = threading.Timer(seconds, expire_thread)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
        timer.cancel()


def same(got, expected, tolerance) -> bool:
    """Equal, with numbers compared within the question's tolerance; tensors and arrays
    are compared through .tolist()."""
    if hasattr(got, "tolist") and not isinstance(got, (list, tuple, str)):
        got = got.tolist()
    if isinstance(expected, bool) or isinstance(got, bool):
        return got == expected
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        if math.isnan(expected) or math.isnan(got):
            return math.isnan(expected) and math.isnan(got)
        return abs(got - expected) <= max(tolerance.allows(expected), 1e-12)
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        return len(got) == len(expected) and all(same(g, e, tolerance) for g, e in zip(got, expected))
    if isinstance(expected, dict) and isinstance(got, dict):
        return got.keys() == expected.keys() and all(same(got[k], expected[k], tolerance) for k in expected)
    return got == expected


def _describe(name: str, case) -> str:
    args = [repr(a) for a in case.args] + [f"{k}={v!r}" for k, v in case.kwargs.items()]
    return f"`{name}({_short(', '.join(args))})`"


def _short(value, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
