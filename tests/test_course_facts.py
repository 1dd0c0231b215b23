"""What the course says about its own demos, data and code is what the code does (issue 33).

A demo's docstring (its story and lesson), a README row or a notebook sentence that names a demo
may state an activation, a count of layers, blocks or hidden units, widths, a data size or split,
a learning rate, or the thresholds of its lesson. Each is read here and checked against the nets
the demo builds (with its own constructors, at --quick size), its data and its check function. In
a docstring every number must be one of those, a year, or listed in NOT_OURS with what it is, so
a new number cannot slip in unchecked. The facts in notebooks that no demo sentence carries (the
digits' split, the X-ray question) are checked one by one at the end.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from unittest import mock

import pytest
import torch
from torch import nn

from dlmagics.train import data as datasets
from dlmagics.train import demos
from dlmagics.train.demos import DEMOS
from dlmagics.train.nets import RBM, Block

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))
TOUR = "07_training_demos.ipynb"  # its text cells describe only the demo run below them

# Numbers in a docstring that are not about our code: the history the demo retells, or maths.
NOT_OURS = {
    "vanishing": {"1/4": "the sigmoid's largest slope (calculus)"},
    "resnet": {"152 layers": "He et al. (2015), ResNet-152"},
}

ACTIVATIONS = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.GELU: "gelu", nn.Softmax: "softmax"}
ACTIVATION_WORDS = r"\b(sigmoid|tanh|relu|gelu|softmax)s?\b|rectified linear|rectifiers?\b"
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20}
NUM = r"(\d[\d,]*|" + "|".join(WORDS) + r")"
ACT = r"(?:(sigmoid|tanh|relu) )?"


def number(text: str) -> int:
    return WORDS[text] if text in WORDS else int(text.replace(",", ""))


# -- what the code builds ----------------------------------------------------------------------

@dataclass
class Net:
    hidden: list[tuple[int, str]]  # (width, activation) of each hidden layer, input side first
    weighted: int  # layers with a weight matrix
    blocks: int
    dropout: set[float]
    inputs: int
    outputs: int
    filters: list[int]  # each convolution's output channels, input side first
    dense: list[int]  # the widths of the hidden layers after a Linear (not a convolution)

    @property
    def activations(self) -> set[str]:
        return {a for _, a in self.hidden}

    @property
    def widths(self) -> list[int]:
        return [w for w, _ in self.hidden]

    @property
    def layout(self) -> list[int]:
        return [self.inputs, *self.widths, self.outputs]


def describe(model: nn.Module) -> Net:
    hidden, weighted, width, sizes, filters, dense, after_linear = [], 0, None, [], [], [], False
    for m in model.modules():
        if isinstance(m, nn.Linear):
            width, weighted, after_linear = m.out_features, weighted + 1, True
            sizes.append((m.in_features, m.out_features))
        elif isinstance(m, nn.Conv2d):
            width, weighted, after_linear = m.out_channels, weighted + 1, False
            filters.append(m.out_channels)
        elif type(m) in ACTIVATIONS:
            hidden.append((width, ACTIVATIONS[type(m)]))
            if after_linear:
                dense.append(width)
        elif isinstance(m, RBM):  # binary units: each turns on with the logistic sigmoid of its input
            visible, units = m.weight.shape
            hidden.append((units, "sigmoid"))
            weighted += 1
            sizes.append((visible, units))
    return Net(hidden, weighted, sum(isinstance(m, Block) for m in model.modules()),
               {m.p for m in model.modules() if isinstance(m, nn.Dropout)}, sizes[0][0], sizes[-1][1], filters, dense)


@dataclass
class Built:
    demo: demos.Demo
    settings: demos.Settings
    plan: object
    nets: list[Net]

    @property
    def training_sets(self) -> list:
        return [self.plan.data] + [c.data for c in self.plan.contenders if c.data is not None]

    def constants(self) -> set[float]:
        """Every number written in the demo's build and check functions."""
        source = inspect.getsource(self.demo.build) + inspect.getsource(self.demo.check)
        return {float(n.value) for n in ast.walk(ast.parse(_dedent(source)))
                if isinstance(n, ast.Constant) and type(n.value) in (int, float)}

    def lists(self) -> list[list[int]]:
        """The lists of numbers written in the build function (digits picked, for one)."""
        tree = ast.parse(_dedent(inspect.getsource(self.demo.build)))
        return [[e.value for e in n.elts] for n in ast.walk(tree)
                if isinstance(n, ast.List) and n.elts and all(isinstance(e, ast.Constant) for e in n.elts)]


def _dedent(source: str) -> str:
    return inspect.cleandoc("\n" + source) if source.startswith(" ") else source


@cache
def built(name: str) -> Built:
    """The demo's plan at --quick size; pre-training shortened (it changes weights, not shapes)."""
    pretrain = demos._pretrain_stack

    def one_epoch(data, sizes, epochs, lr, batch_size, seed):
        return pretrain(data, sizes, 1, lr, batch_size, seed)

    demo = DEMOS[name]
    settings = demo.settings(quick=True)
    with mock.patch.object(demos, "_pretrain_stack", one_epoch), mock.patch.object(demos, "run_race"):
        plan = demo.build(settings)
    return Built(demo, settings, plan, [describe(c.model) for c in plan.contenders])


# -- reading a text against it ----------------------------------------------------------------

def eval_fraction(text: str) -> float:
    top, _, bottom = text.partition("/")
    return float(top) / float(bottom or 1)


def normal(text: str) -> str:
    return " ".join(text.replace("`", "").replace("*", "").lower().split())


def activations_named(text: str) -> set[str]:
    return {m.group(1) or "relu" for m in re.finditer(ACTIVATION_WORDS, normal(text))}


def check_text(text: str, b: Built, lesson: str = "", allowed: dict[str, str] | None = None,
               every_number: bool = False) -> list[str]:
    """What in ``text`` the demo's code contradicts; with ``every_number``, also each number left
    unread. ``lesson`` (a part of the text) is where the check's thresholds are stated."""
    problems: list[str] = []
    nets, t = b.nets, normal(text)

    missing = activations_named(t) - set().union(*(n.activations for n in nets))
    if missing:
        problems.append(f"names {', '.join(sorted(missing))}, which {b.demo.name}'s nets do not contain "
                        f"(they have {', '.join(sorted(set().union(*(n.activations for n in nets))))})")

    def read(pattern: str, judge) -> None:
        """Check each match of pattern with judge(match) -> problem or None; blank what was read."""
        nonlocal t

        def one(m: re.Match) -> str:
            problem = judge(m)
            if problem:
                problems.append(f"{m.group(0)!r}: {problem}")
            return " " * len(m.group(0))
        t = re.sub(pattern, one, t)

    for phrase in (allowed or {}):
        t = t.replace(phrase.lower(), " " * len(phrase))

    def cd_steps(m):
        k = inspect.signature(RBM.contrastive_divergence).parameters["k"].default
        return None if int(m.group(1)) == k else f"the RBMs take {k} Gibbs step(s)"
    read(r"\bcd-(\d+)\b", cd_steps)

    def image_side(m):
        shape = tuple(b.plan.data.x_train.shape[-2:])
        return None if shape == (int(m.group(1)), int(m.group(2))) else f"the images are {shape[0]}x{shape[1]}"
    read(r"\b(\d+) ?x ?(\d+)(?= (?:\w+ )?(?:digits?|images?|pixels?)\b)", image_side)

    def digit_range(m):
        wanted = list(range(int(m.group(1)), int(m.group(2)) + 1))
        picked = b.lists() + [v for v in b.plan.notes.values() if isinstance(v, list)]  # written, or the plan's
        return None if wanted in picked else f"the demo picks the digits {picked}"
    read(r"(?<![-\d])\b(\d)-(\d)\b(?!-)",
         lambda m: digit_range(m) if int(m.group(1)) < int(m.group(2)) else "not a range of digits")

    def widths(m):
        said = [int(w) for w in m.group(1).split("-")]
        return None if any(said in (n.widths, n.layout) for n in nets) else f"the nets are {[n.layout for n in nets]}"
    read(r"\b(\d+(?:-\d+)+)\b", widths)

    def convolutions(m):
        said = [number(m.group(1)), *(number(w) for w in re.findall(NUM, m.group(2)))]
        count, widths = said[0], said[1:]
        ok = any(len(n.filters) == count and n.filters == widths for n in nets)
        return None if ok else f"the nets' convolutions have {[n.filters for n in nets]} filters"
    read(rf"\b{NUM} convolutions? of ((?:{NUM}(?:, | and ))*{NUM}) filters\b", convolutions)

    def dense_of(m):
        count, width = number(m.group(1)), number(m.group(2))
        return None if any(n.dense == [width] * count for n in nets) else \
            f"the nets' dense hidden layers are {[n.dense for n in nets]}"
    read(rf"\b{NUM} dense hidden layers? of {NUM}\b", dense_of)

    def hidden_of(m):
        count, width, act = number(m.group(1)), number(m.group(2)), m.group(3)
        ok = any(len(n.hidden) == count and all(w == width and act in (None, a) for w, a in n.hidden) for n in nets)
        return None if ok else f"the nets' hidden layers are {[n.hidden for n in nets]}"
    read(rf"\b{NUM} hidden layers? of {NUM}(?: (sigmoid|tanh|relu))?", hidden_of)

    def layers(m):
        count, hidden, act, of_weights = number(m.group(1)), m.group(2), m.group(3), m.group(4)
        if of_weights:
            ok = any(n.weighted == count for n in nets)
        elif act:
            ok = any(sum(a == act for _, a in n.hidden) == count for n in nets)
        else:
            ok = any(len(n.hidden) == count or (not hidden and n.weighted == count) for n in nets)
        return None if ok else (f"the nets have {[len(n.hidden) for n in nets]} hidden layers "
                                f"({[sorted(n.activations) for n in nets]}), {[n.weighted for n in nets]} with weights")
    read(rf"\b{NUM} (hidden )?{ACT}layers?\b(?! at a time)( of weights)?", layers)

    read(rf"\b{NUM} (?:\w+ )?blocks\b", lambda m: None if any(n.blocks == number(m.group(1)) for n in nets)
         else f"the nets have {[n.blocks for n in nets]} blocks")
    read(rf"\b{NUM} hidden units?\b", lambda m: None if any(number(m.group(1)) in n.widths for n in nets)
         else f"the hidden widths are {[n.widths for n in nets]}")

    def per_class(m):
        y = b.plan.data.y_train
        counts = sorted(set(torch.bincount(y, minlength=b.plan.data.classes).tolist()))
        return None if counts == [number(m.group(1))] else f"the training set has {counts} of each class"
    read(rf"\b{NUM} (?:\w+ )?examples? (?:of )?each\b", per_class)

    def total(m, classes_too=False):
        n = number(m.group(1))
        sizes = [len(d.x_train) for d in b.training_sets]
        ok = n in sizes or (classes_too and n == b.plan.data.classes)
        return None if ok else f"the training sets hold {sizes} examples of {b.plan.data.classes} classes"
    read(rf"\b{NUM} in all\b", total)
    read(rf"\b{NUM} (?:\w+ )?(digits|examples)\b", lambda m: total(m, classes_too=m.group(2) == "digits"))

    def label_noise(m):
        y = b.plan.data.y_train
        clean = demos._digits(b.settings).subset(len(y)).y_train
        share = float((y != clean).float().mean())
        return None if abs(share - int(m.group(1)) / 100) < 1e-6 else f"{share:.0%} of the labels are wrong"
    read(r"\b(\d+)% of (?:their|the) labels wrong", label_noise)

    def fraction(m):
        full = len(b.plan.data.x_train)
        sizes = [len(d.x_train) for d in b.training_sets]
        return None if full // int(m.group(1)) in sizes else f"the training sets hold {sizes} of {full}"
    read(r"\b1/(\d+)\b(?! of the param)", fraction)

    read(r"\blearning rate (\d+(?:\.\d+)?)\b",
         lambda m: None if float(m.group(1)) == b.demo.lr else f"the demo's learning rate is {b.demo.lr:g}")
    read(r"\bhalf of the units\b", lambda m: None if any(0.5 in n.dropout for n in nets) else "no dropout of 0.5")

    if lesson:  # each threshold of the lesson is a number written in the build or check code
        constants = b.constants()
        claimed = normal(lesson)
        for pattern, scale in ((r"(\d+(?:\.\d+)?)%", 0.01), (r"(\d+) points?\b", 0.01),
                               (r"(\d+(?:\.\d+)?)(?: times|x)\b", 1), (r"\b(\d+(?:\.\d+)?e-\d+)\b", 1),
                               (r"\b(1/\d+)(?= of the param)", 1)):
            def threshold(m, scale=scale):
                value = eval_fraction(m.group(1)) * scale
                return None if any(abs(value - c) < 1e-9 for c in constants) else \
                    f"{value:g} is not a number of the demo's build or check code"
            read(pattern, lambda m: threshold(m) if m.group(0) in claimed else None)
        for word, value in (("half", 0.5), ("a tenth", 0.1)):
            if re.search(rf"\b{word}\b", claimed) and value not in constants:
                problems.append(f"{word!r}: {value} is not a number of the demo's check code")

    t = re.sub(r"\b(?:19|20)\d\d\b", " ", t)  # years: the history, checked by the timeline's tests
    if every_number:
        for left in re.finditer(r"[\w./-]*\d[\w./%-]*", t):
            problems.append(f"{left.group(0)!r}: a number this test does not read; check it here or list it in "
                            "NOT_OURS with what it is")
    return problems


# -- (a) every demo's docstring ---------------------------------------------------------------

@pytest.mark.parametrize("name", list(DEMOS))
def test_a_demos_docstring_states_only_what_its_nets_data_and_check_do(name):
    b = built(name)
    doc = b.demo.build.__doc__ or ""
    lesson = doc.split("Lesson: ", 1)[1] if "Lesson: " in doc else ""
    assert lesson, f"{name} states no lesson"
    problems = check_text(doc, b, lesson=lesson, allowed=NOT_OURS.get(name), every_number=True)
    assert not problems, f"{name}'s docstring: " + "; ".join(problems)


def test_the_check_reads_what_it_claims_to():
    """The reading itself: a wrong activation, depth, width, size or threshold is caught."""
    batchnorm, transfer, dropout = built("batchnorm"), built("transfer"), built("dropout")
    good = "Lesson: a net of 10 ReLU layers at learning rate 1 stays at or below 30% test accuracy"
    assert check_text(good, batchnorm, lesson=good) == []
    for wrong in ("a net of 10 sigmoid layers", "a net of 12 hidden layers", "at learning rate 0.5",
                  "two hidden layers of 512 ReLU units", "1/3 of the data", "it has 40 points of margin"):
        assert check_text(wrong, batchnorm, lesson=wrong), wrong
    assert check_text("learns from 5 examples of each, 25 in all", transfer) == []
    assert check_text("learns from 25 examples each", transfer)
    assert check_text("the digits 0-4", transfer) == [] and check_text("the digits 0-3", transfer)
    assert check_text("two convolutions of 16 and 32 filters", transfer) == []
    assert check_text("two convolutions of 16 and 64 filters", transfer)
    assert check_text("three convolutions of 16 and 32 filters", transfer)
    assert check_text("two dense hidden layers of 256", transfer) == []
    assert check_text("two dense hidden layers of 512", transfer) and check_text("one dense hidden layer of 256", transfer)
    assert check_text("200 digits with 30% of their labels wrong", dropout) == []
    assert check_text("200 digits with 20% of their labels wrong", dropout)
    assert check_text("a 512-512 net", dropout) == [] and check_text("a 256-256 net", dropout)
    assert check_text("Seventeen of 42 units", dropout, every_number=True)


# -- the same facts where the README and the notebooks state them ----------------------------

def readme_rows() -> list[tuple[str, str]]:
    rows = re.findall(r"^\| `(\w+)` \|(.*)$", (ROOT / "README.md").read_text(), flags=re.M)
    return [(name, text) for name, text in rows if name in DEMOS]


@pytest.mark.parametrize("name, row", readme_rows(), ids=[n for n, _ in readme_rows()])
def test_the_readmes_demo_table_agrees_with_the_code(name, row):
    lesson = [column for column in row.split("|") if column.strip()][-1]
    problems = check_text(row.replace("|", " ; "), built(name), lesson=lesson)
    assert not problems, f"README, `{name}`: " + "; ".join(problems)


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z`*\"(#])", text)


def demo_passages() -> list[tuple[str, str, str]]:
    """(notebook, demo, passage): each Markdown sentence that names a demo in backticks; in the
    tour notebook, each text cell with the demo that runs below it."""
    found = []
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            for sentence in sentences(text):
                for name in re.findall(r"`(\w+)`", sentence):
                    if name in DEMOS:
                        found.append((path.name, name, sentence))
            below = "".join(cells[i + 1]["source"]) if i + 1 < len(cells) else ""
            run = re.match(r"(?:\w+ = )?%train_demo (\w+)", below)
            if path.name == TOUR and run and run.group(1) in DEMOS:
                found.append((path.name, run.group(1), text))
    return found


def test_the_notebooks_name_demos_where_this_test_reads_them():
    names = {(nb, demo) for nb, demo, _ in demo_passages()}
    assert {("05_going_deeper.ipynb", "batchnorm"), ("06_when_not.ipynb", "transfer"),
            ("04_imagenet_alexnet.ipynb", "dropout"), ("01_why_now.ipynb", "vanishing")} <= names


@pytest.mark.parametrize("notebook, name, passage", demo_passages(),
                         ids=[f"{nb[:2]}-{name}-{i}" for i, (nb, name, _) in enumerate(demo_passages())])
def test_what_a_notebook_says_of_a_demo_agrees_with_the_code(notebook, name, passage):
    problems = check_text(passage, built(name))
    assert not problems, f"{notebook}, on `{name}`: " + "; ".join(problems)


# -- (b) the audit's facts that live in notebooks, one by one ---------------------------------

def markdown(notebook: str) -> str:
    cells = json.loads((ROOT / "examples" / notebook).read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def code(notebook: str) -> str:
    cells = json.loads((ROOT / "examples" / notebook).read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_06_states_the_digits_split_and_size_the_data_has():
    text = " ".join(markdown("06_when_not.ipynb").split())
    split = datasets.digits(seed=0)
    train, test = re.search(r"on all ([\d,]+), and tested on the same ([\d,]+) held-out digits", text).groups()
    assert (number(train), number(test)) == (len(split.x_train), len(split.x_test))
    rows, columns = re.search(r"([\d,]+) rows of (\d+) numbers", text).groups()
    images, _ = datasets.digits_arrays()
    assert (number(rows), number(columns)) == (len(images), images[0].size)
    weights = re.search(r"a linear model's ([\d,]+) weights can be drawn as (\w+) (\d+) x (\d+) images", text).groups()
    linear = nn.Linear(images[0].size, split.classes)
    assert number(weights[0]) == linear.weight.numel() and number(weights[1]) == split.classes
    assert (int(weights[2]), int(weights[3])) == images[0].shape
    assert "nn.Linear(64, 10)" in code("06_when_not.ipynb")  # the logistic regression the text describes


def test_06s_chest_x_ray_question_is_the_quiz_s():
    from dlmagics.quiz.catalog import bank

    said = re.search(r"chest X-rays with ([\d,]+)\s+labelled images", markdown("06_when_not.ipynb")).group(1)
    prompts = " ".join(q.prompt for q in bank()["when-not"].questions)
    assert re.search(rf"\b{said} labelled chest X-rays\b", prompts), said


def test_03_says_how_much_of_the_digits_is_held_out_and_how_many_pixels_they_have():
    held_out = re.search(r"digits shipped with dlmagics, (\d+)% held out", code("03_deep_belief_nets.ipynb")).group(1)
    assert int(held_out) / 100 == inspect.signature(datasets.digits).parameters["test_fraction"].default
    pixels = re.search(r"here the (\d+) pixels of a digit", markdown("03_deep_belief_nets.ipynb")).group(1)
    assert int(pixels) == datasets.digits(seed=0).features


def test_the_tours_headings_name_their_demos_years_in_order():
    """07's sections go forward in time (issue 35: ResNet, 2015, came before the RBM, 2006):
    each heading over a demo names years of that demo, and each starts no earlier than the last."""
    cells = json.loads((ROOT / "examples" / TOUR).read_text())["cells"]
    firsts = []
    for heading, below in zip(cells, cells[1:]):
        run = re.match(r"(?:\w+ = )?%train_demo (\w+)", "".join(below["source"]))
        title = "".join(heading["source"]).split("\n")[0]
        years = [int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", title)]
        if heading["cell_type"] != "markdown" or not run or not years:
            continue
        assert set(years) <= {int(y) for y in re.findall(r"\d{4}", DEMOS[run.group(1)].year)}, title
        firsts.append((years[0], title))
    assert len(firsts) >= 4 and firsts == sorted(firsts, key=lambda f: f[0]), firsts


def test_the_readme_counts_what_ships():
    from dlmagics.quiz.catalog import bank
    from dlmagics.timeline import events

    readme = " ".join((ROOT / "README.md").read_text().split())
    quizzes = bank()
    assert f"{len(quizzes)} quizzes, {sum(len(q.questions) for q in quizzes.values())} questions" in readme
    assert f"the {len(DEMOS)} demos" in readme and f"{len(events())} events" in readme


# -- 08: the learner's own loop -------------------------------------------------------------

OWN = "08_your_own_training.ipynb"


def own_cells(start: str) -> list[str]:
    cells = json.loads((ROOT / "examples" / OWN).read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and "".join(c["source"]).startswith(start)]


def test_08s_network_data_and_optimizers_are_what_its_text_says():
    text = " ".join(markdown(OWN).split())
    data = datasets.digits()
    namespace = {"torch": torch, "nn": nn, "data": data}
    exec(own_cells("def make_model")[0].split("\n\nloader")[0], namespace)  # noqa: S102 - the notebook's own cell
    net = describe(namespace["make_model"]())
    count, width = re.search(r"(\w+) dense layers of (\d+) ReLU units with dropout", text).groups()
    assert net.hidden == [(int(width), "relu")] * number(count) and net.dropout
    low, high = re.search(r"pixels already scaled to (\d)\.\.(\d)", text).groups()
    assert (float(data.x_train.min()), float(data.x_train.max())) == (int(low), int(high))
    trained = own_cells("%%train")
    assert "the Adam optimizer" in text and "torch.optim.Adam(" in trained[0]
    assert "Plain SGD" in text and "torch.optim.SGD(" in trained[1] and "torch.optim.AdamW(" in trained[2]


def test_08s_text_types_no_number_a_cell_or_this_test_does_not_give():
    """Its results (accuracies, epochs, sizes) are printed by cells; the text states none."""
    text = markdown(OWN)
    text = re.sub(r"`[^`]*`", " ", text)  # code: the learner reads it in the cells too
    checked = (r"\b\w+ dense layers of \d+ ReLU units", r"scaled to \d\.\.\d",  # by the test above
               r"\bBug \d\b", r"\bTutorial 1\b", r"\bCC BY 4\.0\b",  # names: the bugs', the course's, a licence
               r"\b(?:19|20)\d\d\b")  # years
    for pattern in checked:
        text = re.sub(pattern, " ", text)
    assert re.findall(r"\S*\d\S*", text) == []


# -- 09: a CNN on a folder of images, transfer, Grad-CAM ----------------------------------

CNN09 = "09_cnn_and_transfer.ipynb"


def test_09s_crops_blocks_and_transfer_are_what_its_text_says():
    text = " ".join(markdown(CNN09).split())
    cells = code(CNN09)
    # "a random shift of up to one pixel (the image padded by one pixel on each side, then cut back)"
    assert "shift of up to one pixel" in text and "padded by one pixel on each side" in text
    assert "F.pad(x, (1, 1, 1, 1))" in cells and "torch.randint(0, 3, (2,))" in cells
    # the blocks the transfer cells name are the ones the network's comments mark
    assert "# block 1" in cells and "# block 2" in cells and '"block 2": net[2:5]' in cells
    assert "with block 2 learning too" in text and 'reuse(["block 2"])' in cells
    assert "the first half of the classes" in text and "half = len(images.classes) // 2" in cells


def test_09s_text_types_no_number_a_cell_or_this_test_does_not_give():
    """Its results (accuracies, sizes, counts) are printed by cells; the text states none."""
    text = " ".join(re.sub(r"`[^`]*`", " ", markdown(CNN09)).split())  # code: the learner reads it in the cells
    names = (r"\bblock [12]\b", r"\bnotebook 08\b", r"\bCC BY 4\.0\b", r"\b(?:19|20)\d\d\b", r"CIFAR-10",
             r"a mirrored 2 is no 2",  # a digit's name
             r"values from 0 to 1")  # what load gives: tests/test_data_load.py checks it
    for pattern in names:
        text = re.sub(pattern, " ", text)
    assert re.findall(r"\S*\d\S*", text) == []
