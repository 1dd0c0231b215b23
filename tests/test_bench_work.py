"""The work a run does: FLOPs (FlopCounterMode), bytes moved and ops (a dispatch mode)."""

import pytest

torch = pytest.importorskip("torch")

from dlmagics.bench.counting import count_work  # noqa: E402


@pytest.mark.parametrize("n", [64, 256])
def test_a_matmul_counts_2n_cubed_flops_and_reads_two_writes_one(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    work = count_work(lambda: a @ b)
    assert work.flops == 2 * n**3
    assert work.bytes == 3 * n * n * 4  # two fp32 inputs read, one output written
    assert work.ops == 1


def test_views_move_nothing_and_element_wise_ops_count_no_flops():
    x = torch.randn(1000)
    work = count_work(lambda: (x.view(10, 100).t() * 2).relu())
    assert work.flops == 0
    assert work.ops == 2  # mul and relu; view and t are free
    assert work.bytes == 2 * (2 * 1000 * 4)


def test_a_linear_layer_counts_its_matmul():
    layer = torch.nn.Linear(512, 256)
    x = torch.randn(64, 512)
    assert count_work(lambda: layer(x)).flops == 2 * 64 * 512 * 256
