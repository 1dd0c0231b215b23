"""The history as data: dates, order, sources and every link checked; %dltimeline and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from dlmagics import timeline
from dlmagics.quiz import catalog

GPUS = {g["id"] for g in json.loads((Path(timeline.__file__).parent.parent / "hardware" / "gpus.json").read_text())["gpus"]}


def test_at_least_30_events_from_the_1940s_to_today_in_order_with_sources():
    events = timeline.events()
    assert len(events) >= 30
    assert events[0].year < 1950 and events[-1].year >= 2022
    assert [e.date for e in events] == sorted(e.date for e in events)
    for e in events:
        assert e.id.endswith(str(e.year)) or e.id == "turing-award-2018", e.id  # the 2018 award, announced 2019
        assert e.source_url.startswith("https://") and e.source_text and len(e.summary) > 40


def test_every_link_names_a_demo_quiz_or_gpu_that_exists():
    from dlmagics.train.demos import DEMOS

    quizzes = catalog.bank()
    for e in timeline.events():
        assert set(e.demos) <= set(DEMOS), e.id
        assert set(e.quizzes) <= set(quizzes), e.id
        assert set(e.gpus) <= GPUS, e.id
    known = timeline.by_id()
    for quiz in quizzes.values():
        assert set(quiz.events) <= set(known), (quiz.id, set(quiz.events) - set(known))


def test_the_milestones_the_course_names_are_there():
    ids = set(timeline.by_id())
    for wanted in ("perceptron-1958", "perceptrons-1969", "backprop-1986", "lenet-1989", "lstm-1997", "dbn-2006",
                   "cuda-2007", "imagenet-2009", "relu-2011", "alexnet-2012", "dropout-2012", "speech-2012",
                   "siri-2011", "watson-2011", "dqn-2015", "vgg-googlenet-2014", "adam-2014", "gan-2014",
                   "batchnorm-2015", "resnet-2015", "tensorflow-2015", "pytorch-2017", "alphago-2016", "wavenet-2016",
                   "transformer-2017", "bert-2018", "turing-award-2018", "gpt3-2020", "alphafold-2020",
                   "chatgpt-2022", "ai-winter-1973", "ai-winter-1987"):
        assert wanted in ids, wanted


@pytest.fixture
def loaded(shell):
    shell.run_line_magic("load_ext", "dlmagics")
    return shell


def test_dltimeline_shows_the_range_as_html_and_text(loaded):
    view = loaded.run_line_magic("dltimeline", "--from 2006 --to 2012")
    years = {e["year"] for e in view.to_dict()["events"]}
    assert min(years) == 2006 and max(years) == 2012
    html = view._repr_html_()
    assert "data-event='alexnet-2012'" in html and "%train_demo cnn" in html and "%dlquiz imagenet" in html
    assert "https://papers.nips.cc/paper/4824" in html and "2012-10" in repr(view)
    assert len(loaded.run_line_magic("dltimeline", "").shown) == len(timeline.events())


@pytest.mark.parametrize("line, words", [
    ("--from 2030", "--from 2030: the timeline runs from 1943 to 2022"),
    ("--from x", "--from x: a year like 1986"),
    ("--to 1900", "--to 1900: the timeline runs from"),
    ("--from 2015 --to 2010", "--from 2015 is after --to 2010"),
    ("--from 1944 --to 1945", "no events from 1944 to 1945"),
    ("--colour red", "unrecognized arguments"),
])
def test_bad_input_is_a_one_line_usage_error(loaded, line, words):
    with pytest.raises(UsageError) as error:
        loaded.run_line_magic("dltimeline", line)
    assert words in str(error.value) and "\n" not in str(error.value) and "Usage: %dltimeline" in str(error.value)


def test_every_event_has_names_a_heading_can_use():
    for e in timeline.events():
        assert e.names and all(n.strip() for n in e.names), e.id


def test_the_sidebars_built_in_copy_matches_the_events_file():
    copy = Path(__file__).parent.parent / "labextension" / "events.json"
    assert json.loads(copy.read_text()) == [e.to_dict() for e in timeline.events()], \
        "run: python -m dlmagics.timeline > labextension/events.json"


def test_the_snapshot_carries_the_timeline_and_validates(comms, shell, no_driver):
    from conftest import validate

    shell.run_line_magic("load_ext", "dlmagics")
    (c,) = comms
    validate(c.open_data)
    assert [e["id"] for e in c.open_data["timeline"]] == [e.id for e in timeline.events()]


def test_a_broken_events_file_leaves_the_timeline_out_and_the_channel_up(comms, shell, no_driver, tmp_path,
                                                                         monkeypatch, caplog):
    from conftest import validate

    broken = tmp_path / "events.yaml"
    broken.write_text("events:\n  - id: [unclosed\n")
    monkeypatch.setattr(timeline, "EVENTS_FILE", broken)
    timeline.events.cache_clear()
    try:
        shell.run_line_magic("load_ext", "dlmagics")
        (c,) = comms
        validate(c.open_data)
        assert "timeline" not in c.open_data and c.open_data["type"] == "snapshot"
        assert "the timeline is not sent" in caplog.text
    finally:
        timeline.events.cache_clear()
