"""The %%gpubench cell split: setup above '# timed', timed below, line numbers kept."""

import pytest

from dlmagics.bench.cell import CellError, split_cell


def run(code, ns):
    exec(code, ns)
    return ns


def test_setup_and_timed_parts():
    cell = split_cell("x = 2\ny = 3\n# timed\nz = x * y\n")
    assert cell.has_marker and cell.timed_source.strip() == "z = x * y"
    ns = run(cell.setup, {})
    assert "z" not in ns
    assert run(cell.timed, ns)["z"] == 6


def test_without_a_marker_everything_is_timed():
    cell = split_cell("a = 1\nb = a + 1")
    assert not cell.has_marker and cell.setup is None
    assert run(cell.timed, {})["b"] == 2


def test_marker_tolerates_indentation_and_trailing_space_only():
    assert split_cell("a = 1\n   # timed  \nb = a").has_marker
    assert not split_cell("a = 1\n# timed below\nb = a").has_marker  # another comment


def test_an_error_points_at_the_cells_own_line():
    cell = split_cell("x = 1\n# timed\ny = x\nz = 1 / 0\n")
    ns = run(cell.setup, {})
    with pytest.raises(ZeroDivisionError) as error:
        exec(cell.timed, ns)
    assert error.traceback[-1].lineno + 1 == 4  # pytest counts from 0; the cell's line 4


@pytest.mark.parametrize(
    "source, says",
    [
        ("x = 1\n# timed\n# timed\ny = x", "2 '# timed' lines (at lines 2, 3)"),
        ("x = 1\n# timed\n\n", "nothing to time"),
        ("# timed\ny = (", "syntax error on line 2 of the cell"),
        ("x = = 1\n# timed\ny = 2", "syntax error on line 1 of the cell"),
    ],
)
def test_bad_cells_say_why_in_one_line(source, says):
    with pytest.raises(CellError) as error:
        split_cell(source)
    assert says in str(error.value) and "\n" not in str(error.value)
