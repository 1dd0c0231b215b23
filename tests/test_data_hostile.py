"""Hostile data for dlmagics.data.load and %dldata: each gets one line (or one line of the
report), the kernel goes on, nothing hangs (pytest-timeout would catch a hang), nothing runs."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
from IPython.core.error import UsageError
from PIL import Image

import data_making as make
from dlmagics.data import DataError, images, load

pytestmark = pytest.mark.timeout(60)


class RunsCode:
    """A pickle that, unpickled by pickle.load, would create ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_cifar_batch_whose_pickle_would_run_code_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    folder = tmp_path / "cifar"
    make.cifar_folder(folder)
    raw = pickle.dumps({b"data": RunsCode(marker), b"labels": [0]}, protocol=2)
    assert b"posix\nsystem" in raw and f"touch {marker}".encode() in raw  # pickle.load would run it
    (folder / "data_batch_2").write_bytes(raw)
    with pytest.raises(DataError) as caught:
        load(folder)
    message = str(caught.value)
    assert "data_batch_2: the pickle asks for posix.system, which could run code" in message
    assert "refused, nothing was run" in message and "\n" not in message
    assert not marker.exists()


def test_a_pickle_naming_builtins_is_refused_in_a_single_batch_file(tmp_path):
    path = tmp_path / "test_batch"
    path.write_bytes(pickle.dumps({b"data": eval, b"labels": []}, protocol=2))
    with pytest.raises(DataError, match="asks for __builtin__.eval"):
        load(path)


def test_a_decompression_bomb_png_is_too_large_and_the_rest_loads(tmp_path):
    (tmp_path / "cats").mkdir()
    make.bomb_png(tmp_path / "cats" / "bomb.png")
    Image.fromarray(make.pixels(1, (4, 4, 3))).save(tmp_path / "cats" / "fine.png")
    ds = load(tmp_path)
    assert len(ds) == 1 and ds.report.problems[images.TOO_LARGE].examples == ["cats/bomb.png"]
    assert "decompression bomb" in repr(ds.report)


def test_fifty_thousand_empty_files_are_one_line_found_by_stat_alone(tmp_path):
    folder = tmp_path / "cats"
    folder.mkdir()
    for i in range(50_000):
        open(folder / f"{i:05}.png", "wb").close()
    Image.fromarray(make.pixels(1, (4, 4, 3))).save(folder / "real.png")
    ds = load(tmp_path)
    assert len(ds) == 1 and ds.report.problems[images.EMPTY].count == 50_000
    lines = repr(ds.report).splitlines()
    assert [line for line in lines if "not used" in line] == [
        "not used, empty file (0 bytes): 50,000 files (cats/00000.png, cats/00001.png, cats/00002.png, ...)"]
    with pytest.raises(DataError, match=r"holds no image in a class folder \(empty file \(0 bytes\): 50000\)"):
        (folder / "real.png").unlink() or load(tmp_path)


def test_a_fifo_is_never_opened_as_the_path_or_inside_a_folder(tmp_path):
    os.mkfifo(tmp_path / "pipe.npz")
    with pytest.raises(DataError, match="is a named pipe \\(FIFO\\), never opened"):
        load(tmp_path / "pipe.npz")
    (tmp_path / "cats").mkdir()
    os.mkfifo(tmp_path / "cats" / "pipe.png")
    Image.fromarray(make.pixels(1, (4, 4, 3))).save(tmp_path / "cats" / "fine.png")
    ds = load(tmp_path)
    assert len(ds) == 1 and ds.report.problems[images.NOT_REGULAR].examples == ["cats/pipe.png"]
    cifar = tmp_path / "cifar"
    cifar.mkdir()
    os.mkfifo(cifar / "data_batch_1")
    with pytest.raises(DataError, match="data_batch_1 is a named pipe"):
        load(cifar)


def test_an_npz_with_an_object_array_is_refused_without_unpickling(tmp_path):
    np.savez(tmp_path / "objects.npz", x=np.array([RunsCode(tmp_path / "ran")], dtype=object), y=np.array([0]))
    with pytest.raises(DataError, match="allow_pickle=False"):
        load(tmp_path / "objects.npz")
    assert not (tmp_path / "ran").exists()


def test_ctrl_c_while_reading_keeps_what_was_read_and_says_it_is_partial(tmp_path):
    (tmp_path / "cats").mkdir()
    for i in range(10):
        Image.fromarray(make.pixels(i, (4, 4, 3))).save(tmp_path / "cats" / f"{i}.png")

    def interrupt_at_the_fourth(done, total):
        if done == 3:
            raise KeyboardInterrupt

    ds = load(tmp_path, progress=interrupt_at_the_fourth)
    r = ds.report
    assert (len(ds), r.partial, r.files_read, r.files_found, r.counts) == (3, True, 3, 10, {"all": [3]})
    assert "Partial: interrupted after reading 3 of 10 files; this is what was read" in repr(ds.report).splitlines()[0]


@pytest.mark.parametrize("line, says", [
    ("", "give a PATH"),
    ("/no/such/place", "/no/such/place: No such file or directory"),
    ("{tmp} --size big", "--size big: a whole number of pixels, 1 to 1024"),
    ("{tmp}/pipe", "is a named pipe (FIFO), never opened"),
])
def test_the_magic_says_one_line(shell, tmp_path, line, says):
    os.mkfifo(tmp_path / "pipe")
    shell.run_line_magic("load_ext", "dlmagics")
    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("dldata", line.format(tmp=tmp_path))
    assert str(caught.value).startswith("%dldata: ") and says in str(caught.value) and "\n" not in str(caught.value)
