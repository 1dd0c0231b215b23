"""The training doctor on the outside corpus (loops/*.py, written the way learners write
them): each planted bug gets its finding within the first two epochs, a healthy loop gets
none, and no loop gets a finding its header does not name (a false alarm)."""

from __future__ import annotations

import pytest

from dlmagics.train import own

from harness import SPELLINGS, loops, namespace

pytestmark = pytest.mark.timeout(120)
CORPUS = loops() + loops(folder=SPELLINGS)


def run(loop) -> own.OwnResult:
    result = own.start("%%train")
    return own.run_cell(result, loop.code, namespace())


@pytest.mark.parametrize("loop", CORPUS, ids=[loop.name for loop in CORPUS])
def test_the_doctor_names_each_planted_bug_and_nothing_else(loop):
    result = run(loop)
    keys = [f.key for f in result.findings] + ([result.explanation.key] if result.explanation else [])
    if loop.expect == "none":
        assert result.status == "finished" and keys == [], [f.line() for f in result.findings]
        return
    assert loop.expect in keys, (loop.what, [f.line() for f in result.findings], result.error)
    assert set(keys) <= {loop.expect, *loop.also}, [f.line() for f in result.findings]
    if loop.expect.startswith("error_"):
        assert result.status == "failed" and result.traceback  # the original error one click away
        return
    finding = next(f for f in result.findings if f.key == loop.expect)
    # within the first two epochs; overfitting, within two epochs of the one where it began
    began = min(result.history.evals, key=lambda e: e["loss"])["epoch"] if loop.expect == "overfitting" else 0
    assert finding.epoch is not None and finding.epoch <= began + 2, finding.line()
    assert finding.title and finding.evidence and finding.fix


def test_the_corpus_is_as_the_issue_asks():
    planted = [loop for loop in CORPUS if loop.expect != "none"]
    healthy = [loop.name for loop in CORPUS if loop.expect == "none"]
    assert len(planted) >= 12 and len(healthy) >= 4
    assert any("cnn" in name for name in healthy) and any("mlp" in name for name in healthy)
    texts = " ".join(loop.code for loop in CORPUS if loop.expect == "none")
    assert "lr_scheduler" in texts and "clip_grad_norm_" in texts
    assert "nn.CrossEntropyLoss()" in texts and "F.cross_entropy" in " ".join(loop.code for loop in CORPUS)


# The rules that read the sampled steps, and the healthy loops (no false alarm either way).
SAMPLED = [loop for loop in CORPUS if loop.expect in ("dead_relu", "lr_too_low", "not_learning",
                                                       "vanishing_gradients", "none")]


@pytest.mark.parametrize("loop", SAMPLED, ids=[loop.name for loop in SAMPLED])
def test_the_findings_do_not_hang_on_which_steps_were_sampled(loop, monkeypatch):
    # Past its first sampled steps the doctor samples as its time budget allows, so a busy
    # machine samples other steps than a quiet one. Sampling none of those and sampling every
    # 25th step must find the same.
    from dlmagics.train.doctor import rules

    found = []
    for share in (0.0, 1.0):
        monkeypatch.setattr(rules, "DOCTOR_SHARE", share)
        found.append(sorted(f.key for f in run(loop).findings))
    assert found[0] == found[1] == ([] if loop.expect == "none" else [loop.expect]), found
