"""Quiz text: Markdown and a safe subset of authors' HTML (nh3), entities decoded, math kept
for MathJax, the same text as plain text for the terminal."""

from __future__ import annotations

import pytest

from dlmagics.quiz.text import to_html, to_inline_html, to_text

ALLOWED = [
    ("<b>bold</b> <i>it</i> <u>u</u> <s>s</s>", ["<b>bold</b>", "<i>it</i>", "<u>u</u>", "<s>s</s>"]),
    ("line<br />next", ["line<br>next"]),
    ("<ul><li>one</li><li>two</li></ul>", ["<ul><li>one</li><li>two</li></ul>"]),
    ("<table><tr><th>n</th><td>3</td></tr></table>", ["<table>", "<th>n</th>", "<td>3</td>"]),
    ("| a | b |\n|---|---|\n| 1 | 2 |", ["<table>", "<th>a</th>", "<td>2</td>"]),
    ("H<sub>2</sub>O and x<sup>2</sup>", ["H<sub>2</sub>O", "x<sup>2</sup>"]),
    ("<code>x[0]</code> and `y`", ["<code>x[0]</code>", "<code>y</code>"]),
    ("[d2l](https://d2l.ai)", ['<a href="https://d2l.ai" target="_blank" rel="noopener noreferrer">d2l</a>']),
    ("a &mdash; b &amp; c &lt;d&gt;", ["a \u2014 b &amp; c &lt;d&gt;"]),
    ("**bold** and *it*", ["<strong>bold</strong>", "<em>it</em>"]),
]
HOSTILE = [
    ("<script>alert(1)</script>x", ["<script", "alert(1)"]),
    ('<img src="x.png" onerror="alert(1)">', ["onerror"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
    ("[x](javascript:alert(1))", ['href="javascript']),
    ('<b onmouseover="alert(1)">x</b>', ["onmouseover"]),
    ("<style>body{display:none}</style><iframe src='https://e.vil'></iframe>", ["<style", "<iframe"]),
    ("<form action='https://e.vil'><input name=p></form>", ["<form", "<input"]),
    ('<svg onload="alert(1)"><circle /></svg>', ["<svg", "onload"]),
    ('<div style="position:fixed;inset:0">cover</div>', ["style=", "position:fixed"]),
    ("\ue0000\ue001 forged marks", ["\ue000"]),
]


@pytest.mark.parametrize("text, wanted", ALLOWED)
def test_formatting_html_and_markdown_render(text, wanted):
    made = to_html(text)
    for piece in wanted:
        assert piece in made, made


@pytest.mark.parametrize("text, unwanted", HOSTILE)
def test_scripts_handlers_styles_and_forms_never_reach_the_page(text, unwanted):
    made = to_html(text)
    for piece in unwanted:
        assert piece not in made, made


def test_math_is_kept_whole_for_mathjax_where_markdown_would_eat_it():
    made = to_html(r"Softmax: $\sigma(z)_i = e^{z_i} / \sum_j e^{z_j}$, and $$a_1 * b_2 * c$$ or \(x_1\)")
    assert r"$\sigma(z)_i = e^{z_i} / \sum_j e^{z_j}$" in made and "$$a_1 * b_2 * c$$" in made and r"\(x_1\)" in made
    assert to_html("$a < b$") == "<p>$a &lt; b$</p>"  # escaped, still math


def test_fenced_code_is_highlighted_and_escaped():
    made = to_html("Read this:\n\n```python\nif a<b:\n    print('<script>')\n```")
    assert "<p>Read this:</p>" in made and "&lt;script&gt;" in made and "<script>" not in made
    assert 'style="color' in made  # Pygments' colours, put in after sanitising


def test_an_option_label_has_no_paragraph_around_it():
    assert to_inline_html("The $\\sigma$ *shape*") == "The $\\sigma$ <em>shape</em>"
    assert to_inline_html("one\n\ntwo").startswith("<p>")  # two paragraphs stay two


def test_plain_text_takes_tags_out_and_decodes_entities():
    assert to_text("a &mdash; <b>b</b><br />c <script>alert(1)</script>") == "a \u2014 b\nc"
    assert to_text("**Bold** [d2l](https://d2l.ai)") == "Bold d2l (https://d2l.ai)"
    assert to_text("<table><tr><td>1</td><td>2</td></tr></table>") == "1 | 2 |"
    assert to_text("```python\nif a<b: pass\n```") == "if a<b: pass"


def test_a_score_reads_the_same_in_the_cell_and_the_sidebar(tmp_path, monkeypatch):
    """The sidebar rounds as the kernel's f"{x:.0%}" does (half to even): percent.json holds
    the pairs, checked here against Python and in quizzes.spec.ts against the sidebar."""
    import json
    from pathlib import Path

    from dlmagics.quiz import catalog
    from dlmagics.quiz.store import ProgressStore
    from dlmagics.quiz.tutor import Tutor
    from dlmagics.quiz.view import static_text

    pairs = json.loads((Path(__file__).parents[1] / "labextension/__tests__/percent.json").read_text())["percent"]
    assert [f"{fraction:.0%}" for fraction, _ in pairs] == [words for _, words in pairs]
    assert ["0.125", "12%"] in [[str(f), w] for f, w in pairs]  # one point of eight: the case a learner met
    tutor = Tutor(catalog.find("why-now"), ProgressStore(tmp_path / "progress.jsonl"))
    summary = tutor.summary()
    monkeypatch.setattr(tutor, "summary", lambda: {**summary, "score": 0.125})
    assert "score 12%" in static_text(tutor)
