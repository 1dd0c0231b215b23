"""%train_demo from parsed options to a run: each bad option a one-line message saying what
is allowed, then the kernel's Trainer runs the demo (live or here and now)."""

from __future__ import annotations

import argparse
import difflib
import textwrap
from pathlib import Path

from .. import autograde
from ..options import OptionError, bounded
from .defaults import SEED
from .demos import DEMOS, Demo, Settings

MAX_EPOCHS = 100_000
MAX_SEED = 2 ** 32 - 1  # what NumPy's and every device's generators take


class DemoUsageError(OptionError):
    pass


def train_demo(args, trainer, live: bool):
    """The whole magic: --list, or check the options and run the demo (``live``: with the
    dashboard, training in the background). Returns the result (None for --list)."""
    if args.list:
        given = [f"--{k.replace('_', '-')}" for k, v in vars(args).items() if k not in ("list", "name") and v not in (None, False)]
        if args.name or given:
            raise DemoUsageError(f"--list shows the demos and takes nothing else ({' '.join(given) or args.name} "
                                 "would be ignored)")
        trainer.show(listing(), raw=True)
        return None
    demo = find_demo(args.name)
    if autograde.active():  # quick size, a few epochs, the CPU: within nbgrader's 30 s a cell
        settings(demo, argparse.Namespace(**{**vars(args), "device": None, "data": None}))  # bad options still fail
        args.quick, args.epochs, args.device = True, str(autograde.DEMO_EPOCHS), "cpu"
        chosen = runnable(demo, settings(demo, args))
        autograde.say(f"quick size, {chosen.epochs} epoch{'s' if chosen.epochs > 1 else ''}, seed {chosen.seed}, "
                      "on the CPU; the lesson needs the full run")
        return trainer.run(demo, chosen, live=False)
    return trainer.run(demo, runnable(demo, settings(demo, args)), live)


def runnable(demo: Demo, chosen: Settings) -> Settings:
    """The settings, or one line saying why this machine cannot run the demo (the parallel ones)."""
    problem = demo.cannot_run(chosen) if demo.cannot_run else None
    if problem:
        error = DemoUsageError(f"{demo.name} cannot run here: {problem}")
        error.with_usage = False
        raise error
    return chosen


def train_cell(args, trainer, ctx):
    """%%train: check the options and the cell, then train the learner's loop in their
    namespace (live when a person watches, unless --no-live or --quiet)."""
    from .cellcode import prepare

    doctor = (args.doctor or "on").lower()
    if doctor not in ("on", "off"):
        raise DemoUsageError(f"--doctor {args.doctor}: on or off")
    if not ctx.cell.strip():
        raise DemoUsageError("the cell is empty: put %%train on top of a cell that trains a model "
                             "(loss.backward() and optimizer.step() in a loop)")
    try:
        prepared = prepare(ctx.cell)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:  # null bytes, nesting too deep
        where = f"line {error.lineno}: " if isinstance(error, SyntaxError) and error.lineno else ""
        problem = DemoUsageError(f"the cell is not Python that can run ({where}{getattr(error, 'msg', None) or error}); "
                                 "%%train runs it as it is")
        problem.with_usage = False
        raise problem from None
    if not prepared.trains:
        raise DemoUsageError("this cell trains nothing (it calls no function, so no loss.backward() and no "
                             "optimizer.step()): %%train watches a cell that trains a model")
    command = "%%train" + (f" {ctx.line.strip()}" if ctx.line.strip() else "")
    if autograde.active():  # the learner's loop still runs (a broken one still fails), a few steps of it
        import torch

        most = autograde.OWN_LOOP
        autograde.say(f"your loop for at most {most.epochs} epochs of {most.batches} batches, torch.manual_seed"
                      f"({autograde.SEED})")
        torch.manual_seed(autograde.SEED)
        return trainer.train_cell(ctx.cell, ctx.namespace, command, doctor == "on", live=False, quiet=args.quiet,
                                  most=most)
    live = ctx.watched and not args.no_live
    return trainer.train_cell(ctx.cell, ctx.namespace, command, doctor == "on", live, quiet=args.quiet)


def find_demo(name: str | None) -> Demo:
    if not name:
        raise DemoUsageError(f"name a demo: {', '.join(DEMOS)} (or --list)")
    demo = DEMOS.get(name.lower())
    if demo is None:
        near = difflib.get_close_matches(name.lower(), DEMOS, n=3, cutoff=0.6)  # not alexnet2 for resnett
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        raise DemoUsageError(f"no demo named {name!r}; {hint}the demos are {', '.join(DEMOS)}")
    return demo


def _number(text: str | None, option: str, kind, low, high, allowed: str, above: bool = False):
    return None if text is None else bounded(text, kind, low, high, f"{option} {text}: {allowed}", above=above)


def settings(demo: Demo, args) -> Settings:
    """The run's settings from the parsed options, or DemoUsageError."""
    epochs = _number(args.epochs, "--epochs", int, 1, MAX_EPOCHS, f"a whole number of epochs, 1 to {MAX_EPOCHS:,}")
    lr = _number(args.lr, "--lr", float, 0, 10, "a learning rate above 0, at most 10", above=True)
    batch = _number(args.batch_size, "--batch-size", int, 1, 100_000, "a whole number of examples, 1 to 100,000")
    seed = _number(args.seed, "--seed", int, 0, MAX_SEED, f"a whole number from 0 to {MAX_SEED:,}")
    device, devices = _devices(demo, args.device)
    data = None
    if args.data is not None:
        if not demo.uses_digits:
            with_data = ", ".join(d.name for d in DEMOS.values() if d.uses_digits)
            raise DemoUsageError(f"{demo.name} makes its own data; --data works with {with_data}")
        data = _check_data(args.data, demo, SEED if seed is None else seed, args.quick)
    return demo.settings(quick=args.quick, epochs=epochs, lr=lr, batch_size=batch, seed=SEED if seed is None else seed,
                         device=device, devices=devices, data=data)


def _devices(demo: Demo, text: str | None) -> tuple[str, tuple[str, ...]]:
    from ..hardware.devices import ALLOWED, Available, DeviceError, parse_devices

    if text is None:
        return "cpu", ()
    try:
        chosen = parse_devices(text, Available.detect())
    except DeviceError as error:
        raise DemoUsageError(f"--device {text}: {error}") from None
    if demo.name == "hardware":
        return "cpu", tuple(d.label for d in chosen)
    if len(chosen) != 1 or chosen[0].threads is not None:
        raise DemoUsageError(f"--device {text}: give one device (cpu, cuda, cuda:N or mps); "
                             f"only the hardware demo races several ({ALLOWED})")
    return chosen[0].torch_device, ()


def _check_data(path: str, demo: Demo, seed: int, quick: bool) -> str:
    """The --data path, read here so that a damaged file fails now, not mid-run: MNIST's IDX
    files, or for the demos that take a learner's images any source dlmagics.data reads (kept
    for the demo's build, so the files are read once)."""
    from ..data.idx import MNIST_FILES, need_idx
    from .data import DataError, is_mnist, mnist, own_images

    folder = Path(path).expanduser()
    others = ", ".join(d.name for d in DEMOS.values() if d.own_images)
    if demo.own_images and not is_mnist(folder):
        if not folder.exists():
            raise DemoUsageError(f"--data {path}: no such file or folder; give MNIST's IDX folder, a folder of images "
                                 "in class folders, CIFAR-10's python batches or an .npz")
        try:
            classes = own_images(folder, seed, quick, keep=True).classes
        except DataError as error:
            raise DemoUsageError(str(error)) from None
        if classes < demo.min_classes:
            raise DemoUsageError(f"--data {path}: {demo.name} needs at least {demo.min_classes} classes "
                                 f"({demo.classes_why}); it has {classes}")
        return str(folder)
    if not folder.is_dir():
        raise DemoUsageError(f"--data {path}: no such folder; give the folder that holds MNIST's "
                             f"{MNIST_FILES['images']} and {MNIST_FILES['labels']} (.gz or not)")
    try:
        for stem in MNIST_FILES.values():
            need_idx(folder, stem)
        mnist(folder, limit=1)  # reads both files whole: a damaged one fails here, not mid-run
    except DataError as error:
        extra = "" if demo.own_images else f" ({others} also take images, CIFAR-10 or an .npz)"
        raise DemoUsageError(f"{error}{extra}") from None
    return str(folder)


def listing() -> dict:
    """What --list shows: each demo, its date in history and its lesson; as a table in a
    notebook, and as text wrapped at word boundaries for a terminal."""
    from html import escape

    lines, rows = [], []
    for demo in DEMOS.values():
        lines.append(f"{demo.name:<11} {demo.year:<19} {demo.title}")
        lines.append(textwrap.fill(f"Lesson: {demo.claim}", width=96, initial_indent=" " * 12,
                                   subsequent_indent=" " * 20, break_long_words=False, break_on_hyphens=False))
        rows.append(f"<tr><td style='text-align:left;vertical-align:top'><code>{escape(demo.name)}</code></td>"
                    f"<td style='text-align:left;vertical-align:top;white-space:nowrap'>{escape(demo.year)}</td>"
                    f"<td style='text-align:left'><b>{escape(demo.title)}</b><br>Lesson: {escape(demo.claim)}</td></tr>")
    html = ("<table class='dlm-demo-list'><thead><tr><th style='text-align:left'>demo</th>"
            "<th style='text-align:left'>year</th><th style='text-align:left'>what it shows</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")
    return {"text/plain": "\n".join(lines), "text/html": html}
