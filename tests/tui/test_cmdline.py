"""Typed command lines into engine commands (no app needed)."""

from __future__ import annotations

import pytest

from oncall.tui.cmdline import LineError, parse_line


@pytest.mark.parametrize(("line", "expected"), [
    ("dashboard fraud-scorer pred_mean window=90",
     {"do": "dashboard", "model": "fraud-scorer", "metric": "pred_mean", "window": "90"}),
    ("drift fraud-scorer txn_amount_cents test=psi",
     {"do": "drift", "model": "fraud-scorer", "feature": "txn_amount_cents", "test": "psi"}),
    ("diagnose data D4 obs-7 obs-8",
     {"do": "diagnose", "category": "data", "cause": "D4", "evidence": ["obs-7", "obs-8"]}),
    ("diagnose data D4 evidence=obs-7,obs-8",
     {"do": "diagnose", "category": "data", "cause": "D4", "evidence": ["obs-7", "obs-8"]}),
    ("update all clear now", {"do": "update", "message": "all clear now"}),
    ('escalate data-engineering "please revert v13" model=fraud-scorer',
     {"do": "escalate", "team": "data-engineering", "message": "please revert v13",
      "model": "fraud-scorer"}),
    # a free-text option runs to the next option, semicolons and all, without quotes
    ("escalate data-engineering message=utilisation arrives empty; check the producer",
     {"do": "escalate", "team": "data-engineering",
      "message": "utilisation arrives empty; check the producer"}),
    ("logs fraud-scorer grep=deadline exceeded level=ERROR",
     {"do": "logs", "model": "fraud-scorer", "grep": "deadline exceeded", "level": "ERROR"}),
    ("ticket ModelHighP99Latency churn-model note=not urgent, x=1 is fine",
     {"do": "ticket", "alert": "ModelHighP99Latency", "model": "churn-model",
      "note": "not urgent, x=1 is fine"}),
    # an apostrophe inside a word is a letter: one would leave a quote open, two would pair up
    # and vanish ("dont roll back, its fine")
    ("update a batch job on price-optimizer's node starves it",
     {"do": "update", "message": "a batch job on price-optimizer's node starves it"}),
    ("update don't roll back, it's fine",
     {"do": "update", "message": "don't roll back, it's fine"}),
    ("escalate infra-sre message='it's the node'",
     {"do": "escalate", "team": "infra-sre", "message": "it's the node"}),
    (":wait 10", {"do": "wait", "minutes": "10"}),
    ("ack", {"do": "ack"}),
    ("bogus x", {"do": "bogus", "args": ["x"]}),
])
def test_parse_line(line: str, expected: dict[str, object]) -> None:
    assert parse_line(line) == expected


@pytest.mark.parametrize("line", ["", 'update "open', "postmortem", "deploys a b"])
def test_unreadable_lines(line: str) -> None:
    with pytest.raises(LineError):
        parse_line(line)


def _as_typed(command: dict[str, object]) -> dict[str, object]:
    return {k: [str(x) for x in v] if isinstance(v, list) else str(v)
            for k, v in command.items()}


def test_every_scripted_command_echoes_as_a_line_that_types_it_back() -> None:
    from oncall.content import loader
    from oncall.tui.cmdline import command_line

    seen = 0
    for sc in loader.scenarios().values():
        for move in [*sc.playbook.right, *sc.playbook.wrong]:
            if move["do"] == "postmortem":
                continue
            assert parse_line(command_line(move)) == _as_typed(move), command_line(move)
            seen += 1
    assert seen > 100
    assert command_line({"do": "update", "message": "it's fixed"}) == 'update "it\'s fixed"'
    tricky = {"do": "update", "message": 'he said "no" and it\'s \\ odd'}
    assert parse_line(command_line(tricky)) == tricky


VOCAB = {"model": ["fraud-scorer", "feed-ranker"], "metric": ["pred_mean", "latency_p99_ms"],
         "evidence": ["obs-2", "obs-3", "obs-12"], "fix": ["restart_pods", "scale_up"],
         "team": ["data-engineering", "model-owners"], "cause": ["D1", "D4", "M1"]}


@pytest.mark.parametrize(("line", "completed"), [
    ("das", "dashboard"),
    ("dashboard f", "dashboard fraud-scorer"),
    ("dashboard fraud-scorer l", "dashboard fraud-scorer latency_p99_ms"),
    ("dashboard fraud-scorer pred_mean wi", "dashboard fraud-scorer pred_mean window="),
    ("hotfix feed-ranker s", "hotfix feed-ranker scale_up"),
    ("escalate m", "escalate model-owners"),
    ("diagnose data D4 obs-2 o", "diagnose data D4 obs-2 obs-3"),
    ("diagnose data D4 evidence=obs-2,obs-1", "diagnose data D4 evidence=obs-2,obs-12"),
    ("diagnose m", "diagnose model"),
    ("drift fraud-scorer prediction test=ws", None),
    ("drift fraud-scorer prediction test=w", "drift fraud-scorer prediction test=wasserstein"),
    ("logs fraud-scorer level=E", "logs fraud-scorer level=ERROR"),
    ("nonsense f", None),
    ("", None),
])
def test_completion(line: str, completed: str | None) -> None:
    from oncall.tui.cmdline import complete

    assert complete(line, lambda field, cmd: VOCAB.get(field, [])) == completed


@pytest.mark.parametrize(("line", "expected"), [
    ("reply c1 obs-3", {"do": "reply", "about": "c1", "evidence": ["obs-3"]}),
    ("reply c1 obs-3 obs-4", {"do": "reply", "about": "c1", "evidence": ["obs-3", "obs-4"]}),
    ("reply obs-3", {"do": "reply", "evidence": ["obs-3"]}),
    ("reply c2 evidence=obs-5 obs-6", {"do": "reply", "about": "c2",
                                      "evidence": ["obs-5", "obs-6"]}),
    ("reply c1 message=see obs-3 please", {"do": "reply", "about": "c1",
                                           "message": "see obs-3 please"}),
])
def test_a_night_reply_takes_its_observations_as_evidence(line: str,
                                                          expected: dict[str, object]) -> None:
    """An observation's id is evidence wherever it stands on a reply: `reply c1 obs-3`, the
    example the night's command line shows, was refused as 'too many words'."""
    assert parse_line(line, shift=True) == expected


def test_every_example_the_night_shows_parses() -> None:
    from oncall.tui.screens.night import HINT

    examples = [e.strip() for e in HINT.lstrip(": ").split("·")]
    typed = [e for e in examples if e.split()[0] not in ("tab", "F1")]
    assert len(typed) >= 5
    for line in typed:
        assert parse_line(line, shift=True)["do"] == line.split()[0]
