"""The wing contract: a whole wing added from outside dlmagics (a magic, a kernel message
with its schema entry, a frontend message, a part of the snapshot), every built-in wing
keeping it, and a snapshot that rebuilds every sidebar section, the Runs included."""

from __future__ import annotations

import subprocess
import sys

import jsonschema
import pytest

from conftest import SCHEMA, validate
from dlmagics.options import OptionError
from dlmagics.wing import MagicSpec, Wing, arg, find_wings

# The fixture wing's message, as its own schema entry (the wing's part of protocol.schema.json).
HELLO_SCHEMA = {
    "type": "object", "required": ["type", "greeting"], "additionalProperties": False,
    "properties": {"type": {"const": "hello"}, "greeting": {"type": "string"}},
}


class HelloWing(Wing):
    """A wing written outside dlmagics: %hello greets, tells the sidebar, remembers waves."""

    name = "hello"
    magics = (MagicSpec("hello", doc="Say hello.\n\n        Examples::\n\n          %hello --name Ada\n",
                        args=(arg("--name", metavar="NAME", help="Whom to greet."),)),)
    frontend_messages = {"wave": {"hand"}}

    def __init__(self, kernel):
        super().__init__(kernel)
        self.greeted: list[str] = []
        self.waves: list[str] = []

    def run(self, name, args, ctx):
        if not args.name:
            raise OptionError("give --name NAME")
        greeting = f"Hello, {args.name}!"
        self.greeted.append(args.name)
        ctx.publish({"type": "hello", "greeting": greeting})
        return greeting

    def snapshot_part(self) -> dict:
        return {"hello": {"greeted": list(self.greeted)}}

    def handle(self, message: dict) -> None:
        self.waves.append(message.get("hand", "?"))


def test_a_wing_from_outside_dlmagics_gets_its_magic_message_snapshot_and_handler(comms, shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    magics = shell.magics_manager.registry["DLMagics"]
    magics.add_wing(HelloWing)
    (c,) = comms
    assert shell.run_line_magic("hello", "--name Ada") == "Hello, Ada!"
    message = c.sent[-1]
    jsonschema.validate(message, HELLO_SCHEMA)
    assert message == {"type": "hello", "greeting": "Hello, Ada!"}
    with pytest.raises(Exception) as error:  # its OptionError, a one-line UsageError like every magic's
        shell.run_line_magic("hello", "")
    assert str(error.value) == "%hello: give --name NAME. Usage: %hello [--name NAME]"
    assert "Whom to greet." in shell.magics_manager.magics["line"]["hello"].__doc__  # %hello? shows its options
    c.receive({"type": "wave", "hand": "left"})
    c.receive({"type": "wave", "elbow": "no"})  # keys it did not declare: ignored, as any bad message
    assert magics.wing("hello").waves == ["left"]
    snapshot = c.request_snapshot()
    assert snapshot["hello"] == {"greeted": ["Ada"]}
    validate({k: v for k, v in snapshot.items() if k != "hello"})  # the rest is the built-in protocol
    with pytest.raises(ValueError, match="taken already"):  # a second wing of that name, or of %hello
        magics.add_wing(HelloWing)
    shell.run_line_magic("unload_ext", "dlmagics")
    assert "hello" not in shell.magics_manager.magics["line"]


def test_every_built_in_wing_keeps_the_contract():
    wings = find_wings()
    assert [w.name for w in wings] == ["bench", "data", "ddp", "monitor", "quiz", "timeline", "train"]
    magics = [spec for wing in wings for spec in wing.magics]
    assert sorted(spec.prog for spec in magics) == ["%%ddp", "%%dlquiz_answers", "%%gpubench", "%%train", "%dldata",
                                                    "%dlquiz", "%dltimeline", "%gpumon",
                                                    "%train_demo"]
    declared = {kind for wing in wings for kind in wing.frontend_messages} | {"request_snapshot"}
    assert declared == {SCHEMA["$defs"][ref["$ref"].split("/")[-1]]["properties"]["type"]["const"]
                        for ref in SCHEMA["$defs"]["frontend_message"]["oneOf"]}


@pytest.mark.parametrize("spec", [s for w in find_wings() for s in w.magics], ids=lambda s: s.name)
def test_a_written_usage_line_names_every_option_the_parser_takes(spec):
    if spec.usage is None:
        return  # argparse writes it from the options
    for one in spec.args:
        flag = next((f for f in one.flags if f.startswith("--")), None)
        assert flag is None or flag in spec.usage, f"{spec.prog}'s usage line lacks {flag}"
    named = {word.strip("[]|").split("=")[0] for word in spec.usage.split() if word.strip("[]|").startswith("--")}
    assert named <= {f for one in spec.args for f in one.flags}, f"{spec.prog}'s usage names options it lacks"


def test_load_ext_imports_no_torch():
    """(Its time is measured, as a ratio, by benchmarks/monitor_cost.py: no timed tests here.)"""
    code = ("from IPython.testing.globalipapp import start_ipython; ip = start_ipython(); "
            "ip.run_line_magic('load_ext', 'dlmagics'); import sys; "
            "print([m for m in ('torch', 'ipywidgets') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr


def test_a_snapshot_carries_the_latest_benchmarks_and_training_run(comms, shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    (c,) = comms
    shell.run_cell_magic("gpubench", "-d cpu --budget 0.05 -q", "x = torch.ones(8)\n# timed\ny = x + 1")
    shell.run_line_magic("train_demo", "xor --quick --no-live")
    snapshot = c.request_snapshot()
    validate(snapshot)
    assert snapshot["benchmarks"] == next(m for m in c.sent if m["type"] == "benchmarks")["results"]
    last_run = [m for m in c.sent if m["type"] == "training"][-1]["run"]
    assert snapshot["training"] == last_run and last_run["status"] == "finished"


def test_a_demo_with_its_own_picture_is_one_registration(shell, no_driver):
    """A new demo (a Grad-CAM one, say) is its build, its check and its panel, registered in
    one place: nothing in the dashboard, the final picture or the sidebar is edited for it."""
    import numpy as np

    from dlmagics.train import demos
    from dlmagics.train.pictures import Image

    def stripes(result):
        return Image("my own picture", np.full((4, 4, 3), 200, np.uint8), caption="drawn by the demo itself")

    demos.demo("toy", "2026", "A toy with its own picture", lambda r: demos.Lesson(True, "nothing to measure"),
               epochs=2, lr=0.5, batch_size=200, quick_epochs=1, panel=stripes, uses_digits=False)(demos.build_xor)
    try:
        shell.run_line_magic("load_ext", "dlmagics")
        run = shell.run_line_magic("train_demo", "toy --quick --no-live")
        from dlmagics.train.frames import picture_html

        assert "my own picture" in picture_html(run) and "drawn by the demo itself" in picture_html(run)
    finally:
        demos.DEMOS.pop("toy")
