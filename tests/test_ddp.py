"""%%ddp with real processes: torchrun, gloo on the CPU, 2 ranks of 1 thread and tiny tensors.
The sums of an all_reduce, DDP's gradients against one process's, two launchers meeting on
127.0.0.1, and the faults (a rank that raises, is killed, hangs in a collective or runs on;
Ctrl-C; Stop): each ends the run with one line naming the rank and leaves no process behind."""

from __future__ import annotations

import _thread
import os
import re
import socket
import threading
from pathlib import Path

import psutil
import pytest
import torch
from IPython.core.error import UsageError

from conftest import validate
from dlmagics.ddp.launcher import Settings, launch
from test_kernel_e2e import Kernel

pytestmark = pytest.mark.timeout(180)
TIMEOUT_S = 4.0  # the runs' --timeout: a collective's wait (gloo raises after it)
ENDED_WITHIN_S = 60.0  # launch to the last process gone, torchrun's and torch's start included, on a busy machine


def no_child_left() -> list:
    return psutil.Process().children(recursive=True)


def run(code: str, **options):
    """A 2-rank run; (outcome, the lines the ranks printed as (rank, text))."""
    lines = []
    outcome = launch(code, Settings(**{"nproc": 2, "threads": 1, "timeout_s": TIMEOUT_S, **options}),
                     lambda line: lines.append((line.rank, line.text)))
    assert no_child_left() == []
    return outcome, lines


@pytest.fixture
def ip(shell):
    shell.run_line_magic("load_ext", "dlmagics")
    return shell


def test_an_all_reduce_gives_the_sum_on_every_rank_through_the_magic(ip, capsys):
    outcome = ip.run_cell_magic("ddp", "-n 2 --threads 1", (
        "x = torch.ones(3) * (rank + 1)\n"
        "dist.all_reduce(x)\n"
        "print('sum', x.tolist(), world_size, device, torch.get_num_threads())\n"
        "for _ in range(3):\n"
        "    dist.all_reduce(torch.zeros(10)); step()\n"))
    printed = capsys.readouterr().out
    assert "[rank 0] sum [3.0, 3.0, 3.0] 2 cpu 1" in printed and "[rank 1] sum [3.0, 3.0, 3.0] 2 cpu 1" in printed
    assert outcome.status == "finished" and outcome.fault is None
    assert [r.rank for r in outcome.ranks] == [0, 1]
    for r in outcome.ranks:
        assert r.ops["all_reduce"][0] == 4 and r.ops["all_reduce"][2] == 3 * 4 + 3 * 10 * 4  # calls, bytes
        assert len(r.steps) == 3
    text = repr(outcome)
    assert "2 ranks, gloo, 1 thread each: finished" in text and "all_reduce x4" in text
    assert "time per step" in outcome._repr_html_()
    assert no_child_left() == []


def test_ddp_gradients_equal_one_process_on_the_same_global_batch(tmp_path):
    code = f"""
from torch.nn.parallel import DistributedDataParallel as DDP
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3))
ddp = DDP(model)
x, y = torch.randn(8, 5), torch.randint(0, 3, (8,))  # the global batch, the same on each rank
mine = slice(rank * 8 // world_size, (rank + 1) * 8 // world_size)
torch.nn.functional.cross_entropy(ddp(x[mine]), y[mine]).backward()
torch.save([p.grad for p in model.parameters()], {str(tmp_path)!r} + f"/grad{{rank}}.pt")
"""
    outcome, _ = run(code)
    assert outcome.status == "finished", outcome.fault
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3))
    x, y = torch.randn(8, 5), torch.randint(0, 3, (8,))
    torch.nn.functional.cross_entropy(model(x), y).backward()
    for rank in (0, 1):
        grads = torch.load(tmp_path / f"grad{rank}.pt")
        for got, want in zip(grads, model.parameters()):
            torch.testing.assert_close(got, want.grad, rtol=1e-5, atol=1e-6)
    sizes = sum(p.numel() for p in model.parameters()) * 4
    assert all(r.ops["all_reduce"][0] >= 1 and r.ops["all_reduce"][2] == sizes for r in outcome.ranks)  # DDP's, counted


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_launchers_meet_on_localhost_and_sum_across_both():
    port = free_port()
    code = "x = torch.tensor([rank + 1.0])\ndist.all_reduce(x)\nprint('sum', x.item(), 'rank', rank, 'of', world_size)\n"
    outcomes, lines = [None, None], [[], []]

    def node(k):
        outcomes[k] = launch(code, Settings(1, threads=1, timeout_s=30, nnodes=2, rdzv_endpoint=f"127.0.0.1:{port}"),
                             lambda line: lines[k].append(line.text))

    nodes = [threading.Thread(target=node, args=(k,)) for k in (0, 1)]
    for t in nodes:
        t.start()
    for t in nodes:
        t.join()
    assert [o.status for o in outcomes] == ["finished", "finished"], [o.fault for o in outcomes]
    assert sorted(r.rank for o in outcomes for r in o.ranks) == [0, 1]  # one rank on each launcher
    assert sorted(lines[0] + lines[1]) == ["sum 3.0 rank 0 of 2", "sum 3.0 rank 1 of 2"]
    assert no_child_left() == []
    assert not [c for c in psutil.net_connections("tcp") if c.laddr and c.laddr.port == port
                and c.status == psutil.CONN_LISTEN]


def test_a_rank_that_raises_ends_the_run_with_its_error():
    outcome, lines = run("if rank == 1:\n    raise ValueError('no data for rank 1')\ndist.all_reduce(torch.ones(2))\n")
    assert outcome.status == "failed"
    assert outcome.fault == "rank 1 failed: ValueError: no data for rank 1"
    assert (1, "ValueError: no data for rank 1") in lines  # its traceback, labelled, streamed


def test_a_killed_rank_ends_the_run_within_the_timeout():
    outcome, _ = run("import os, signal\nif rank == 1:\n    os.kill(os.getpid(), signal.SIGKILL)\n"
                     "dist.all_reduce(torch.ones(2))\n")
    assert outcome.status == "failed"
    assert outcome.fault == "rank 1 was killed (SIGKILL) before it finished; the other ranks were ended"
    assert outcome.seconds < ENDED_WITHIN_S


def test_a_rank_stuck_in_a_collective_ends_the_run_after_the_timeout():
    outcome, _ = run("import time\nif rank == 1:\n    time.sleep(600)\ndist.all_reduce(torch.ones(2))\n")
    assert outcome.status == "failed"
    assert outcome.fault.startswith("rank 0 failed: RuntimeError: Timed out")
    assert f"waited --timeout {TIMEOUT_S:g} s in a collective" in outcome.fault
    assert TIMEOUT_S < outcome.seconds < TIMEOUT_S + ENDED_WITHIN_S


def test_a_rank_running_on_after_another_ended_is_ended_after_the_timeout():
    outcome, _ = run("import time\nif rank == 1:\n    time.sleep(600)\n")
    assert outcome.status == "timed out"
    assert outcome.fault == f"rank 1 did not end within {TIMEOUT_S:g} s of rank 0 ending; all ranks were ended"
    assert [r.rank for r in outcome.ranks] == [0]
    # a rank that prints without end: its lines never leave the launcher's queue empty
    outcome, lines = run("import time\nif rank == 1:\n    while True:\n        print('still here')\n"
                         "        time.sleep(0.001)\n")
    assert outcome.status == "timed out" and [r.rank for r in outcome.ranks] == [0] and (1, "still here") in lines


def test_the_steps_so_far_are_told_while_the_ranks_run(tmp_path):
    """For the sidebar's Runs row: each rank's steps (step() calls) reach the kernel as it runs."""
    seen = tmp_path / "seen"
    told = []

    def on_steps(counts: dict) -> None:
        told.append(dict(counts))
        if sorted(counts) == [0, 1] and min(counts.values()) >= 1:
            seen.touch()  # the ranks wait for it: the count came before they ended

    code = ("import os, time\nfor _ in range(3):\n    step()\nuntil = time.time() + 60\n"
            f"while not os.path.exists({str(seen)!r}) and time.time() < until:\n    time.sleep(0.05)\n")
    outcome = launch(code, Settings(2, threads=1, timeout_s=TIMEOUT_S), on_steps=on_steps)
    assert outcome.status == "finished" and seen.exists()
    assert sorted(told[-1]) == [0, 1] and all(1 <= n <= 3 for n in told[-1].values())
    assert [len(r.steps) for r in outcome.ranks] == [3, 3]  # telling them took nothing from the report
    assert no_child_left() == []


def test_stop_ends_every_rank():
    stop = threading.Event()
    outcome = launch("import time\nprint('ready')\ntime.sleep(600)\n", Settings(2, threads=1),
                     lambda line: stop.set(), stop)
    assert outcome.status == "stopped" and outcome.fault == "stopped: all 2 ranks on this node were ended"
    assert no_child_left() == []


def test_ctrl_c_in_the_kernel_ends_every_rank_and_the_kernel_stays(tmp_path):
    kernel = Kernel()
    try:
        kernel.execute("%load_ext dlmagics")
        ready = [tmp_path / f"ready{rank}" for rank in (0, 1)]
        shown = kernel.interrupt(f"%%ddp -n 2 --threads 1\nimport time\nopen({str(tmp_path)!r} + f'/ready{{rank}}', 'w')"
                                 "\ntime.sleep(600)", ("execute_result", "error"), when=lambda: all(p.exists() for p in ready))
        assert shown["msg_type"] == "execute_result"  # the report, not a traceback
        kernel_process = psutil.Process(kernel.km.provisioner.process.pid)
        assert kernel_process.children(recursive=True) == []
        assert kernel.execute("print(_.status, _.fault)").strip() == \
            "interrupted the kernel was interrupted (its stop button, I I or the sidebar's Stop): all 2 ranks on this node were ended"
        rows = runs_rows(kernel)  # the sidebar's Stop interrupts the kernel just so: its row ends stopped
        assert rows[0]["status"] == "running" and rows[-1]["status"] == "stopped"
        assert rows[-1]["words"].endswith("the kernel was interrupted and all 2 ranks were ended")
    finally:
        kernel.close()


def runs_rows(kernel: Kernel) -> list[dict]:
    """The %%ddp rows the kernel sent to the sidebar's Runs, each checked against the schema."""
    rows = [m["content"]["data"] for m in kernel.comm_messages
            if m["msg_type"] == "comm_msg" and m["content"]["data"].get("type") == "training"]
    for row in rows:
        validate(row)
    return [row["run"] for row in rows if row["run"]["demo"] == "%%ddp"]


def test_a_ddp_cell_has_a_row_in_the_sidebars_runs_from_start_to_end(tmp_path):
    """A real kernel: the row while the ranks run (its ranks, no progress claimed, a Stop that
    interrupts), the last when they end, and the snapshot a reloaded sidebar asks for."""
    kernel = Kernel()
    try:
        kernel.execute("%load_ext dlmagics")
        comm_id = next(m for m in kernel.comm_messages if m["msg_type"] == "comm_open")["content"]["comm_id"]
        kernel.execute("%%ddp -n 2 --threads 1\nx = torch.ones(3)\nfor _ in range(4):\n    dist.all_reduce(x); step()\n",
                       timeout=120)
        rows = runs_rows(kernel)
        first, last = rows[0], rows[-1]
        assert {r["status"] for r in rows[:-1]} == {"running"} and last["status"] == "finished"
        assert all(r["title"] == r["command"] == "%%ddp -n 2 --threads 1" and r["stop"] == "interrupt" for r in rows)
        assert [c["name"] for c in first["contenders"]] == ["rank 0", "rank 1"] and first["step"] == 0
        assert last["step"] == 4 and last["words"].startswith("finished: 2 ranks, 4 steps in ")
        kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": {"type": "request_snapshot"}})
        snapshot = kernel.wait_comm(lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"]["type"] == "snapshot", 30)
        assert snapshot["content"]["data"]["training"] == last
        assert psutil.Process(kernel.km.provisioner.process.pid).children(recursive=True) == []
    finally:
        kernel.close()


def test_the_last_line_is_read_when_the_readers_end_as_the_launcher_looks(monkeypatch):
    """torchrun has ended; its last line (here its fault summary) reaches the queue just after
    the launcher found the queue empty and just before it asks whether the readers still run."""
    from dlmagics.ddp import launcher

    released, reader_done = threading.Event(), threading.Event()

    class Pipe:
        def __init__(self, lines):
            self.lines = lines

        def readline(self):
            if not self.lines:
                return b""
            released.wait(30)
            return self.lines.pop(0)

        def close(self):
            reader_done.set()

    class Exited:
        stdout, stderr, returncode = Pipe([b"[rank 0] the last line\n"]), Pipe([]), 0

        def poll(self):
            return 0

    class LateQueue(launcher.queue.Queue):
        def empty(self):
            was = super().empty()
            if was and not released.is_set():  # the reader delivers its line and ends right now
                released.set()
                reader_done.wait(30)
                while any(t.name.endswith("(_read)") and t.is_alive() for t in threading.enumerate()):
                    released.wait(0.01)
            return was

    monkeypatch.setattr(launcher.queue, "Queue", LateQueue)
    seen, outcome = [], launcher.Outcome(1, 1, "gloo", 1, TIMEOUT_S)
    status = launcher._follow(Exited(), Path("/nonexistent"), Settings(1), outcome, seen.append, None)
    assert status == "finished" and [line.text for line in seen] == ["the last line"]


@pytest.mark.parametrize("line, cell, says", [
    ("", "x = 1", "give -n N"),
    ("-n 0", "x = 1", "-n 0: the number of ranks on this node, 1 to 64"),
    ("-n 2 --backend mpi", "x = 1", "--backend mpi: gloo (CPU) or nccl"),
    ("-n 2 --nnodes 2", "x = 1", "--nnodes 2 needs --rdzv-endpoint HOST:PORT"),
    ("-n 2 --nnodes 2 --rdzv-endpoint nowhere", "x = 1", "--rdzv-endpoint nowhere: HOST:PORT"),
    ("-n 2 --compare 2", "x = 1", "--compare 2: rounds of 1 and N ranks, 3 to 20"),
    ("-n 2 --timeout 0", "x = 1", "--timeout 0: seconds, above 0"),
    ("-n 2", "  \n", "the cell is empty"),
    ("-n 2", "x = (1,\nprint(x)", "the cell does not compile: line 1: '(' was never closed"),
])
def test_bad_options_get_one_line_saying_what_is_allowed(ip, line, cell, says):
    with pytest.raises(UsageError, match=None) as error:
        ip.run_cell_magic("ddp", line, cell)
    assert says in str(error.value) and "\n" not in str(error.value).split("usage:")[0].strip()
    assert no_child_left() == []


def test_cells_a_learner_writes_run_whatever_they_do(tmp_path, monkeypatch):
    """A module from the notebook's folder, unicode, a line far above a pipe's atomic write on
    both ranks at once, a __main__ guard, and the cell's own destroy_process_group()."""
    (tmp_path / "helpers.py").write_text("def hello(rank):\n    return f'héllo ✓ 你好 from {rank}'\n")
    monkeypatch.chdir(tmp_path)
    outcome, lines = run("import helpers\nif __name__ == '__main__':\n    print(helpers.hello(rank))\n"
                         "dist.barrier()\nprint(str(rank) * 100000)\ndist.destroy_process_group()\n")
    assert outcome.status == "finished", outcome.fault
    for rank in (0, 1):
        assert (rank, f"héllo ✓ 你好 from {rank}") in lines
        mine = [text for r, text in lines if r == rank and text and set(text) <= set("01")]
        assert "".join(mine) == str(rank) * 100000  # whole, and nothing of the other rank's inside


def test_a_cell_that_asks_for_input_ends_with_one_line_saying_so():
    """The kernel's stdin is a pipe nobody writes to: input() must not wait on it for ever."""
    read_end, write_end = os.pipe()
    saved = os.dup(0)
    os.dup2(read_end, 0)
    stop = threading.Event()
    timer = threading.Timer(ENDED_WITHIN_S, stop.set)
    timer.start()
    try:
        outcome = launch("name = input('name? ')\n", Settings(2, threads=1, timeout_s=TIMEOUT_S), None, stop)
    finally:
        timer.cancel()
        os.dup2(saved, 0)
        for fd in (saved, read_end, write_end):
            os.close(fd)
    assert outcome.status == "failed", outcome.fault
    assert outcome.fault.startswith("rank ") and "input()" in outcome.fault
    assert no_child_left() == []


def test_a_cell_with_a_syntax_error_run_by_the_launcher_names_it():
    outcome, _ = run("x = (1,\nprint(x)\n")
    assert outcome.status == "failed"
    assert re.fullmatch(r"rank [01] failed: SyntaxError: '\(' was never closed \(<%%ddp cell>, line 1\)",
                        outcome.fault), outcome.fault  # both ranks fail alike: either may be the first


def test_a_process_a_rank_started_and_left_is_ended_with_the_run():
    """The rank ends, its child is no longer under torchrun (and holds the output pipe open)."""
    outcome, _ = run("import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', "
                     "'dlmagics-ddp-left-behind'])\n")
    assert outcome.status == "finished", outcome.fault
    assert not [p for p in psutil.process_iter(["cmdline"]) if "dlmagics-ddp-left-behind" in (p.info["cmdline"] or [])]
