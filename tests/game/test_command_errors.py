"""A command is validated by its verb's own class, built the first time the verb is given: the
answer, and every error's wording, are those of the union of every command tagged by `do`."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from oncall.game import commands as c
from oncall.game import shiftcommands as sc

UNION: TypeAdapter[Any] = TypeAdapter(c.AnyCommand)
PM = {"summary": "s", "impact": "i", "root_cause": "r", "trigger": "t", "detection": "d",
      "resolution": "r", "action_items": [], "lessons": {"went_well": "w", "went_wrong": "w",
                                                          "lucky": "l"}}
CASES: list[dict[str, Any]] = [
    {"do": "ack"}, {"do": "ack", "x": 1}, {"do": "status", "model": "m"},
    {"do": "dashboard"}, {"do": "dashboard", "model": "m", "metric": "rps"},
    {"do": "dashboard", "model": "m", "metric": "rps", "window": 5},
    {"do": "dashboard", "model": "m", "metric": "rps", "window": "ten"},
    {"do": "dashboard", "model": "m", "metric": "rps", "window": 99999},
    {"do": "dashboard", "model": "m", "metric": "rps", "by": "pod"},
    {"do": "wait"}, {"do": "wait", "minutes": -3}, {"do": "wait", "minutes": 2.5},
    {"do": "severity", "level": 9}, {"do": "update", "message": ""},
    {"do": "update", "message": 5}, {"do": "drift", "model": "m", "feature": "f", "test": "z"},
    {"do": "diagnose", "category": "data", "cause": "D4", "evidence": "obs-1"},
    {"do": "diagnose", "category": "nope", "cause": "D4", "evidence": []},
    {"do": "hotfix", "model": "m"}, {"do": "rollback", "model": "m", "to_revision": "x"},
    {"do": "postmortem"}, {"do": "postmortem", **PM},
    {"do": "postmortem", **PM, "action_items": [{"item": "a"}]},
    {"do": "postmortem", **PM, "action_items": [{"item": "a", "type": "b", "owner": "o"}]},
    {"do": "postmortem", **PM, "lessons": {"went_well": 1}},
    {"do": "tune", "model": "m"}, {"do": "abandon", "reason": 3},
]


def _answer(adapter: Any, raw: dict[str, Any]) -> str:
    try:
        return repr(c.validate(adapter, raw, []))
    except c.CommandError as exc:
        return f"error: {exc}"


@pytest.mark.parametrize("raw", CASES, ids=lambda r: str(r.get("do")))
def test_a_verbs_own_class_answers_as_the_tagged_union(raw: dict[str, Any]) -> None:
    assert _answer(c.VERBS[raw["do"]], raw) == _answer(UNION, raw)


def test_the_cases_include_errors_in_nested_fields() -> None:
    said = [_answer(UNION, raw) for raw in CASES]
    assert sum(s.startswith("error:") for s in said) >= 20
    assert any("action_items.0" in s for s in said)


@pytest.mark.parametrize(("raw", "takes"), [
    ({"do": "logs", "model": "m", "text": "oom"}, "logs takes model, level, window, grep"),
    ({"do": "status", "model": "m"}, "status takes none"),
    ({"do": "ack", "x": 1}, "ack takes none"),
])
def test_an_unknown_argument_says_what_the_verb_takes(raw: dict[str, Any], takes: str) -> None:
    """A guessed argument name (`text` for `grep`) is answered with the names there are."""
    said = _answer(c.VERBS[raw["do"]], raw)
    assert said.endswith(f"unknown argument ({takes})"), said


def test_a_shift_verb_lists_its_own_arguments_by_the_names_typed() -> None:
    """`about` (the name typed: the field is `about_`), not the incident's `ack` arguments."""
    with pytest.raises(c.CommandError) as err:
        sc.parse_shift({"do": "reply", "conversation": "c1", "message": "no"}, [])
    assert str(err.value).endswith("unknown argument (reply takes about, evidence, message)")
    with pytest.raises(c.CommandError) as err:
        sc.parse_shift({"do": "ack", "bogus": 1}, [])
    assert "ack takes page" in str(err.value), err.value
    assert "about" in c.describe("take", sc.SHIFT_VERBS["take"])["args"]


def test_a_missing_argument_says_what_to_type_there_where_help_does() -> None:
    """`dashboard` without a metric is answered with the metrics `help` gives as examples; a
    field help says nothing more of is only named."""
    said = _answer(c.Dashboard, {"do": "dashboard", "model": "m"})
    assert said == ("error: dashboard: metric: required (e.g. latency_p99_ms, error_rate, "
                    "pred_mean, gpu_mem_frac, feature_mean:<feature>)"), said
    assert c.describe("dashboard", c.Dashboard)["args"]["metric"]["about"] in said
    assert _answer(c.Logs, {"do": "logs"}) == "error: logs: model: required"


def test_help_says_a_cost_a_verb_does_not_fix_in_words_an_incident_and_a_shift_alike() -> None:
    """`wait` costs the minutes typed: its help line says so, not 'as given min'."""
    from oncall.content import loader
    from oncall.game.engine import Game
    from oncall.game.shift import Shift

    lines = [Game(loader.scenario("fraud-1"), 7).do({"do": "help"}).text,
             Shift(seed=3, length=240).do({"do": "help"}).text]
    for text in lines:
        wait = next(line for line in text.splitlines() if line.startswith("wait"))
        assert wait.split()[1:3] == ["as", "typed"] and " min " not in wait, wait
        help_line = next(line for line in text.splitlines() if line.startswith("help"))
        assert help_line.split()[1:3] == ["0", "min"]
        assert help_line.index("the commands") == wait.index("let the clock"), "one column"


@pytest.mark.parametrize(("typed", "level"), [(2, 2), ("SEV-2", 2), ("sev3", 3), (" Sev 1 ", 1)])
def test_a_severity_is_read_as_help_and_the_runbooks_write_it(typed: object, level: int) -> None:
    cmd = c.parse({"do": "severity", "level": typed}, "active")
    assert isinstance(cmd, c.Severity) and cmd.level == level


@pytest.mark.parametrize(("typed", "why"), [("SEV-9", "at most 5, got 9"), ("SEV-", "whole"),
                                            ("two", "whole number, got 'two'")])
def test_a_severity_out_of_range_or_not_a_level_is_refused(typed: str, why: str) -> None:
    with pytest.raises(c.CommandError) as err:
        c.parse({"do": "severity", "level": typed}, "active")
    assert why in str(err.value), err.value
