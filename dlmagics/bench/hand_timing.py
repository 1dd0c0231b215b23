"""Recognise a cell that times itself, and say how it reads as a %%gpubench cell.

Learners (and the course's own snippets) time code by hand: ``start = time.time()``, the
work, ``torch.cuda.synchronize()``, ``print(time.time() - start)``, with the device picked
by ``device = "cuda" if torch.cuda.is_available() else "cpu"``. In %%gpubench each of those
lines is wrong: %%gpubench sets ``device`` for each run, waits for the GPU itself, and
times many runs; ``torch.cuda.synchronize()`` even fails on a machine without a GPU. So
such a cell is rewritten here, statement by statement, keeping the learner's own text:
the timing lines go, ``.cuda()`` becomes ``.to(device)``, and '# timed' goes where the
learner's clock started. Nothing here runs the code.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

TIMERS = {"time", "perf_counter", "monotonic", "process_time", "time_ns", "perf_counter_ns", "monotonic_ns",
          "default_timer", "timer"}  # time.X(), timeit.default_timer(), and the same names imported bare
TIMEIT = {"timeit", "repeat", "autorange"}  # timeit.timeit(lambda: work, number=10): the work is the lambda's
TIME_MODULES = {"time", "timeit"}
INJECTED = {"device", "dtype"}  # names %%gpubench sets for each run
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)  # their code runs where it is called
# '%timeit -n 10 y = f(x)' or a '%%time' line: IPython's own timers, pasted into the cell.
IPYTHON_TIMER = re.compile(r"^(?P<indent>\s*)(?P<magic>%%?time(?:it)?)\b(?:\s+-[nrp]\s*\d+|\s+-[tcqov]\b)*\s*(?P<code>.*)$")


@dataclass(frozen=True)
class Rewrite:
    """What the cell does by hand, line by line, and the cell as %%gpubench wants it."""

    found: list[tuple[int, str]]  # (line, what) in line order: "time.time()", "torch.cuda.synchronize()"...
    source: str | None  # the cell rewritten: timing lines gone, '# timed' above the work (None: no valid rewrite)

    def message(self, options: str = "") -> str:
        """What the cell does by hand and the cell rewritten, under the learner's own options line."""
        lines: dict[int, list[str]] = {}
        for line, what in self.found:
            if what not in lines.setdefault(line, []):
                lines[line].append(what)
        where = "; ".join(f"line {line}: {', '.join(whats)}" for line, whats in sorted(lines.items()))
        header = " ".join(["%%gpubench", *options.split()])
        words = (f"this cell times itself by hand ({where}). %%gpubench does that for you: it sets `device` to "
                 "each device in turn, waits for the GPU to finish (it synchronises), and times many runs after a "
                 "warm-up. ")
        if self.source is None:
            return words + f"Remove those lines, put '# timed' above the code to time, and start the cell with {header}"
        return words + (f"Remove those lines and put '# timed' above the code to time; the cell becomes:\n\n"
                        f"{header}\n{self.source.rstrip()}\n")


def hand_timing(source: str) -> Rewrite | None:
    """The rewrite of a cell that times itself by hand; None for any other cell (one that
    only synchronises or reads the clock once runs as it is; one that only sets ``device``
    gets cell.py's own one-line message)."""
    source, magic_lines = _without_ipython_timers(source)
    try:
        tree = ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError):  # cell.py says what is wrong with such a cell
        return None
    finder = _Finder(tree)
    if not (finder.hand_timed or magic_lines):
        return None
    rewritten = _rewrite(source, tree, finder, magic_lines)
    try:
        ast.parse(rewritten)
    except SyntaxError:  # a cut this module did not foresee: say which lines go rather than show a broken cell
        rewritten = None
    return Rewrite(found=sorted(finder.found + list(magic_lines.items()), key=lambda f: f[0]),
                   source=rewritten)


def _without_ipython_timers(source: str) -> tuple[str, dict[int, str]]:
    """'%timeit code' lines as their code; a bare '%%time' line as a blank one; and which
    magic each line had."""
    lines, found = source.splitlines(), {}
    for i, line in enumerate(lines):
        match = IPYTHON_TIMER.match(line)
        if match and line.lstrip().startswith("%"):
            lines[i] = match["indent"] + match["code"]
            found[i + 1] = match["magic"]
    return "\n".join(lines) + ("\n" if source.endswith("\n") else ""), found


def dotted(node: ast.AST) -> str:
    """'torch.cuda.synchronize' for that call's function; '' for anything not a dotted name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):  # torch.cuda.current_stream().synchronize()
        inner = dotted(node.func)
        return f"{inner}().{'.'.join(reversed(parts))}" if inner else ""
    return ""


class _Finder:
    """Which statements time, synchronise, report a time or pick the device; which names
    hold times (start, end, elapsed, a CUDA event)."""

    def __init__(self, tree: ast.Module):
        self.timer_names = self._bare_timers(tree)
        self.time_names: set[str] = set()  # variables that hold a time or a CUDA timing event
        self.drop: dict[ast.stmt, str] = {}  # statement -> what it does, in words
        self.clock_reads = 0  # clock reads kept as times (not a seed or a log line's stamp)
        self.measures = False  # it subtracts times, asks an event for elapsed_time, or calls timeit
        self.start: ast.stmt | None = None  # the first statement that starts a clock
        self.timeit_work: dict[ast.stmt, str] = {}  # a timeit statement -> the code it times
        self.timeit_setup: dict[ast.stmt, str] = {}  # a timeit statement -> its setup code
        self.found: list[tuple[int, str]] = []
        leaves = [s for s in _simple_statements(tree.body) if not _blocks(s) and not isinstance(s, DEFINITIONS)]
        for statement in leaves:
            self._classify(statement)
        for statement in leaves:  # 'times = []' before 'times.append(end - start)'
            targets = _assigned_names(statement)
            if statement not in self.drop and statement not in self.timeit_work and targets \
                    and targets <= self.time_names:
                self.drop[statement] = "arithmetic on the times"
                self.found.append((statement.lineno, self.drop[statement]))
        self._drop_emptied(tree.body)
        self._drop_unused_imports(tree)

    @property
    def hand_timed(self) -> bool:
        """Timing, not just a clock read (a seed from time.time(), a stamp) nor a lone synchronize:
        two clock reads, or a time subtracted, or timeit, or a CUDA event's elapsed_time."""
        return self.clock_reads >= 2 or self.measures

    @staticmethod
    def _bare_timers(tree) -> set[str]:
        """Names bound by 'from time import perf_counter' and the like."""
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in TIME_MODULES:
                names |= {alias.asname or alias.name for alias in node.names if alias.name in TIMERS | TIMEIT}
        return names

    def _what(self, call: ast.Call) -> tuple[str, str] | None:
        """A call that reads a clock, times code or synchronises: (kind, words); else None.
        Kinds: clock (reads a time), timeit (times code given to it), sync, event (a CUDA
        timing event made), record (an event marks a time), elapsed (an event's time read)."""
        name = dotted(call.func)
        head, last = name.partition(".")[0], name.rpartition(".")[2]
        if last == "synchronize":
            return "sync", f"{name}()"
        if (head in TIME_MODULES or name in self.timer_names) and last in TIMEIT | {"Timer"}:
            return "timeit", f"{name}()"
        if (head in TIME_MODULES and last in TIMERS) or name in self.timer_names or name.endswith("datetime.now"):
            return "clock", f"{name}()"
        if name.endswith("cuda.Event") or name.endswith("mps.Event"):
            return "event", f"{name}()"
        if last in ("record", "elapsed_time") and head in self.time_names:
            return ("record" if last == "record" else "elapsed"), f"{name}()"
        return None

    def _classify(self, statement: ast.stmt) -> None:
        """One statement (not a block, not a definition): dropped, timeit's work, or kept."""
        calls = [w for w in (self._what(n) for n in ast.walk(statement) if isinstance(n, ast.Call)) if w]
        uses_times = any(isinstance(n, ast.Name) and n.id in self.time_names for n in ast.walk(statement))
        targets = _assigned_names(statement)
        kinds = {kind for kind, _ in calls}
        if kinds == {"clock"} and not uses_times and not self._holds_time(statement):
            return  # torch.manual_seed(int(time.time())), print(f"at {datetime.now()}"): kept, not timing
        work = self._timeit_work(statement) if "timeit" in kinds else None
        if work is not None:
            self.timeit_work[statement], setup = work
            if setup:
                self.timeit_setup[statement] = setup
            self.start = self.start or statement
            self.measures = True
            self.found.append((statement.lineno, next(w for k, w in calls if k == "timeit")))
        elif calls or uses_times:
            self.clock_reads += sum(kind in ("clock", "record") for kind, _ in calls)
            self.measures |= "elapsed" in kinds or self._subtracts_times(statement)
            if kinds & {"clock", "record"} and self.start is None:
                self.start = statement  # the learner's clock starts here: what follows is the work
            words = "print of the time" if _is_print(statement) else \
                ", ".join(dict.fromkeys(w for _, w in calls)) or "arithmetic on the times"
            self.drop[statement] = words
            self.found.append((statement.lineno, words))
        elif targets & INJECTED:
            self.drop[statement] = f"picks its own {' and '.join(sorted(targets & INJECTED))}"
            self.found.append((statement.lineno, self.drop[statement]))
        if calls or uses_times:
            self.time_names |= targets | _appended_to(statement)

    def _time_value(self, node: ast.AST) -> bool:
        """A clock read, a name holding a time, or arithmetic on them."""
        if isinstance(node, ast.Call):
            what = self._what(node)
            return what is not None and what[0] in ("clock", "elapsed")
        if isinstance(node, ast.Name):
            return node.id in self.time_names
        if isinstance(node, ast.BinOp):
            return self._time_value(node.left) or self._time_value(node.right)
        return False

    def _holds_time(self, statement: ast.stmt) -> bool:
        """'start = time.time()', 'print(time.time() - start)', 'print(time.time())',
        'stamps.append(time.time())': a clock read kept as a time (not one turned into a seed
        or written into a log line)."""
        value = getattr(statement, "value", None)
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and value is not None:
            return self._time_value(value)
        return self._subtracts_times(statement) or any(
            self._time_value(a) for n in ast.walk(statement) if isinstance(n, ast.Call)
            and (dotted(n.func) == "print" or _method(n) in ("append", "extend", "add")) for a in n.args)

    def _subtracts_times(self, statement: ast.stmt) -> bool:
        return any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub)
                   and (self._time_value(n.left) or self._time_value(n.right)) for n in ast.walk(statement))

    def _timeit_work(self, statement: ast.stmt) -> tuple[str, str] | None:
        """The code a timeit call (or a timeit.Timer) times and its setup ('' for none), given
        by position or as stmt= and setup=: a lambda's body or a string of code."""
        for node in ast.walk(statement):
            if not (isinstance(node, ast.Call) and dotted(node.func).rpartition(".")[2] in TIMEIT | {"Timer"}):
                continue
            given = dict(zip(("stmt", "setup"), node.args)) | {k.arg: k.value for k in node.keywords if k.arg}
            work = _code(given.get("stmt"))
            if work:
                return work, _code(given.get("setup")) or ""
        return None

    def _drop_emptied(self, body: list[ast.stmt]) -> bool:
        """Drop compound statements all of whose statements go (an 'if cuda: device = ...') or
        only pass once they go; True when every statement of ``body`` goes."""
        for statement in body:
            blocks = [b for b in _blocks(statement) if b]
            if blocks and statement not in self.drop:
                emptied = [self._drop_emptied(b) for b in blocks]
                if all(emptied) or _only_passes(statement, self.drop):
                    picked = sorted(_assigned_names(statement) & INJECTED)
                    self.drop[statement] = f"picks its own {' and '.join(picked)}" if picked else "timing"
                    self.found.append((statement.lineno, self.drop[statement]))
        return all(s in self.drop for s in body)

    def _kept_names(self, body: list[ast.stmt]):
        """The names the kept code reads (a kept loop's dropped lines not counted)."""
        for statement in body:
            if statement in self.drop or _is_import(statement):
                continue
            if statement in self.timeit_work:  # it becomes the code it timed
                try:
                    statement = ast.parse(self.timeit_setup.get(statement, "") + "\n" + self.timeit_work[statement])
                except SyntaxError:
                    continue
            blocks = _blocks(statement)
            inner = {id(s) for block in blocks for s in block}
            stack = [statement]
            while stack:
                node = stack.pop()
                if isinstance(node, ast.Name):
                    yield node.id
                stack += [child for child in ast.iter_child_nodes(node) if id(child) not in inner]
            for block in blocks:
                yield from self._kept_names(block)

    def _drop_unused_imports(self, tree: ast.Module) -> None:
        """'import time' goes once no kept line uses it ('import torch, time' keeps torch)."""
        used = set(self._kept_names(tree.body))
        self.imports: dict[ast.stmt, list[ast.alias]] = {}
        for statement in _simple_statements(tree.body):
            if not _is_import(statement) or statement in self.drop:
                continue
            module = getattr(statement, "module", None)
            gone = [a for a in statement.names if (module in TIME_MODULES or a.name in TIME_MODULES)
                    and (a.asname or a.name).split(".")[0] not in used]
            if not gone:
                continue
            self.found.append((statement.lineno, "import " + ", ".join(a.name for a in gone)))
            kept = [a for a in statement.names if a not in gone]
            if kept:
                self.imports[statement] = kept
            else:
                self.drop[statement] = "import"


def _rewrite(source: str, tree: ast.Module, finder: _Finder, magic_lines: dict[int, str]) -> str:
    """The cell's own text with the dropped statements cut, imports trimmed, timeit's work
    spelled out, .cuda() as .to(device), and '# timed' above the first work after the clock starts."""
    text = _Text(source)
    edits: list[tuple[int, int, str]] = []
    inside = {id(n) for s in finder.drop for n in ast.walk(s) if n is not s}  # cut with the statement around
    for statement in finder.drop:
        if id(statement) not in inside:
            edits.append(text.cut(statement))
    for statement, kept in finder.imports.items():
        start, end = text.span(statement)
        edits.append((start, end, ast.unparse(type(statement)(**{**statement.__dict__, "names": kept}))))
    marker_line = _marker_line(source, tree, finder, magic_lines)
    above_marker = ""
    for statement, work in finder.timeit_work.items():
        start, end = text.span(statement)
        setup = finder.timeit_setup.get(statement)
        if setup and statement.lineno == marker_line:  # setup above '# timed', the work below
            above_marker = setup + "\n"
        elif setup:  # inside a block: the setup runs (timed) just before the work
            work = setup + "\n" + work
        edits.append((start, end, work.replace("\n", "\n" + " " * statement.col_offset)))
    # A kept block whose every statement goes keeps a 'pass' ('try:' / 'except:' alone is no Python).
    for statement in ast.walk(tree):
        if statement in finder.drop or id(statement) in inside:
            continue
        for block in _blocks(statement) if isinstance(statement, ast.stmt) else []:
            if block and all(s in finder.drop for s in block) and text.alone(block[0]):
                at = text.offset(block[0].lineno, 0)
                edits.append((at, at, " " * block[0].col_offset + "pass\n"))
    replaced = inside | {id(n) for s in [*finder.drop, *finder.timeit_work] for n in ast.walk(s)}
    # The GPU named in the code pins every run to it; `device` is each device in turn.
    device_spots = {id(k.value) for k in ast.walk(tree) if isinstance(k, ast.keyword) and k.arg == "device"} | {
        id(c.args[0]) for c in ast.walk(tree) if isinstance(c, ast.Call) and _method(c) == "to" and c.args}
    for node in ast.walk(tree):
        if id(node) in replaced:
            continue
        if isinstance(node, ast.Call) and _method(node) == "cuda" and not node.args:
            edits.append((text.offset(node.func.value.end_lineno, node.func.value.end_col_offset),
                          text.offset(node.end_lineno, node.end_col_offset), ".to(device)"))
        elif id(node) in device_spots and isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and re.fullmatch(r"cuda(:\d+)?|mps", node.value):
            edits.append((*text.span(node), "device"))
    if marker_line is not None:
        at = text.offset(marker_line, 0)
        edits.append((at, at, above_marker + "# timed\n"))
    out = source
    for start, end, new in reversed(_merged(edits)):
        out = out[:start] + new + out[end:]
    # A cut that leaves 'y = f(x);' drops the ';' too.
    return "\n".join(re.sub(r"\s*;?\s*$", "", line) for line in out.splitlines()).strip("\n") + "\n"


def _merged(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Edits in order, overlapping cuts joined (two neighbours on a ';' line both take the ';')."""
    out: list[tuple[int, int, str]] = []
    for start, end, new in sorted(edits):
        if out and start < out[-1][1] and not new and not out[-1][2]:
            out[-1] = (out[-1][0], max(end, out[-1][1]), "")
        else:
            out.append((start, end, new))
    return out


def _marker_line(source: str, tree: ast.Module, finder: _Finder, magic_lines: dict[int, str]) -> int | None:
    """The line '# timed' goes above: the first top-level statement kept after the clock
    started (the one holding the start when it is nested); None when the cell has its own."""
    if any(line.strip() == "# timed" for line in source.splitlines()):
        return None
    starts = [finder.start.lineno] if finder.start is not None else []
    starts += list(magic_lines)
    if not starts:
        return None
    begin = min(starts)
    for statement in tree.body:
        if statement in finder.drop:
            continue
        holds = statement.lineno <= begin <= statement.end_lineno and statement is not finder.start
        if holds or statement.lineno > begin or (statement.lineno == begin and statement in finder.timeit_work):
            return min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
    return None


class _Text:
    """Offsets into the cell's text from the parser's (line, UTF-8 byte column)."""

    def __init__(self, source: str):
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, column: int) -> int:
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        return self.starts[line - 1] + len(text.encode()[:column].decode(errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def alone(self, statement: ast.stmt) -> bool:
        """Nothing before the statement on its first line."""
        return not self.source[self.starts[statement.lineno - 1]:self.span(statement)[0]].strip()

    def cut(self, statement: ast.stmt) -> tuple[int, int, str]:
        """A statement's text out: its whole lines when it has them alone, else it and a ';'."""
        start, end = self.span(statement)
        line_start, line_end = self.starts[statement.lineno - 1], self.starts[statement.end_lineno]
        before, after = self.source[line_start:start], self.source[end:line_end]
        if not before.strip() and (not after.strip() or after.strip().startswith("#")):
            return line_start, line_end, ""
        semicolon_after = re.match(r"\s*;\s*", after)
        if semicolon_after:
            return start, end + semicolon_after.end(), ""
        semicolon_before = re.search(r"\s*;\s*$", before)
        if semicolon_before:
            return line_start + semicolon_before.start(), end, ""
        return start, end, "pass"


def _code(node: ast.AST | None) -> str | None:
    """The code in timeit's stmt or setup: a lambda's body, or a string of statements."""
    if isinstance(node, ast.Lambda):
        return ast.unparse(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return textwrap.dedent(node.value).strip()
    return None


def _only_passes(statement: ast.stmt, drop: dict) -> bool:
    """A block statement left with nothing but 'pass' once its dropped lines go: 'try:
    torch.cuda.synchronize() except AssertionError: pass' goes whole, as does 'if cuda:
    torch.cuda.synchronize() else: pass'."""
    inner = [s for block in _blocks(statement) for s in block]
    return any(s in drop for s in inner) and all(
        s in drop or isinstance(s, ast.Pass) or isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
        for s in inner)


def _simple_statements(body: list[ast.stmt]):
    """Every statement in order, entering blocks (not functions or classes: their code runs
    where it is called)."""
    for statement in body:
        yield statement
        if not isinstance(statement, DEFINITIONS):
            for block in _blocks(statement):
                yield from _simple_statements(block)


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(statement, DEFINITIONS):
        return []
    blocks = [getattr(statement, name) for name in ("body", "orelse", "finalbody") if hasattr(statement, name)]
    blocks += [handler.body for handler in getattr(statement, "handlers", [])]
    return blocks


def _assigned_names(statement: ast.stmt) -> set[str]:
    """The plain names a statement (or a block's statements) assigns."""
    return {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _appended_to(statement: ast.stmt) -> set[str]:
    """'times' in times.append(...): a list the statement adds to."""
    return {n.func.value.id for n in ast.walk(statement) if isinstance(n, ast.Call) and _method(n) in
            ("append", "extend", "add") and isinstance(n.func.value, ast.Name)}


def _method(call: ast.Call) -> str | None:
    """'to' for x.to(...)."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _is_import(statement: ast.stmt) -> bool:
    return isinstance(statement, (ast.Import, ast.ImportFrom))


def _is_print(statement: ast.stmt) -> bool:
    return any(isinstance(n, ast.Call) and dotted(n.func) == "print" for n in ast.walk(statement))
