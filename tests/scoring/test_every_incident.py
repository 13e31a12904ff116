"""Every incident of a night is scored: on night-two-pages, fixing the second incident is never
noise chasing, `diagnose incident=` records its own diagnosis, and fixing both incidents scores
above fixing one."""

from __future__ import annotations

from typing import Any

from worlds import fresh_game

from oncall.content import loader
from oncall.game.record import Record
from oncall.scoring import score
from oncall.scoring.run import Run

SID = "night-two-pages"


def play(both: bool, cause: str = "I1") -> Record:
    """The shipped right play, with or without the second incident's diagnosis (as `cause`) and
    rollback."""
    g = fresh_game(SID, 7)
    for raw in loader.scenario(SID).playbook.right:
        cmd: dict[str, Any] = dict(raw)
        if not both and (cmd.get("incident") == "search" or cmd.get("model") == "search-ranker"):
            continue
        if cmd.get("do") == "postmortem":
            for _ in range(12):  # the other incident waits for the secondary on-call
                if g.do({"do": "resolve"}).data.get("resolved") or g.phase != "active":
                    break
                g.do({"do": "wait", "minutes": 25})
        obs = g.do(cmd)
        assert obs.ok or cmd.get("do") == "resolve", (cmd, obs.text)
        if both and cmd.get("do") == "logs" and cmd.get("model") == "search-ranker":
            g.do({"do": "diagnose", "category": "infra", "cause": cause, "evidence": [obs.id],
                  "incident": "search"})
    return g.record


def test_fixing_both_incidents_scores_above_fixing_one() -> None:
    both, one = score(play(True)), score(play(False))
    assert both.total > one.total + 3, (both.total, one.total)
    text = " ".join(line for s in both.sections for line in s.feedback)
    assert "not at fault" not in text
    assert "Incident search (search-ranker): infra / I1" in text


def test_diagnose_takes_an_incident() -> None:
    record = play(True)
    inc = next(i for i in record.facts.incidents if i.id == "search")
    assert inc.diagnosis is not None and inc.diagnosis["cause"] == "I1"
    assert record.facts.diagnosis is not None and record.facts.diagnosis["cause"] == "D4"



def test_what_fits_the_second_incident_fits_the_nights_postmortem() -> None:
    record = play(True)
    inc = next(i for i in record.facts.incidents if i.id == "search")
    assert "mon-gpu-headroom" in inc.remediations  # the GPU OOM kind's own
    assert "mon-gpu-headroom" not in record.answers.remediations  # the first page's key
    assert "mon-gpu-headroom" in Run(record).answers.remediations
    postmortem = next(s for s in score(record).sections if s.name == "postmortem")
    assert any("mon-gpu-headroom" in line for line in postmortem.feedback)


def test_the_second_incident_is_judged_by_its_own_kinds_alternatives() -> None:
    """search is a gpu_oom night, and gpu_oom lists I9 (bad deploy config) at 0.5 with its
    reason: the second incident's I9 earns that, as the first page's would, not the 0.8 of the
    generic overlap table that stood in for every extra incident's key."""
    record = play(True, cause="I9")
    inc = next(i for i in record.facts.incidents if i.id == "search")
    assert [(a["cause"], a["credit"]) for a in inc.alternatives] == [("I9", 0.5)]
    diagnosis = next(s for s in score(record).sections if s.name == "diagnosis")
    right = next(s for s in score(play(True)).sections if s.name == "diagnosis")
    # the mean over two incidents: the second's cause share is 0.5 of 6, so 1.5 below I1's
    assert round(right.points - diagnosis.points, 1) == 1.5
    text = " ".join(diagnosis.feedback)
    assert "infra / I9 (bad deploy config) is an accepted alternative, worth 50% of the cause: " \
        "a config-only deploy did break serving, but I9 stops at the deploy" in text


def test_one_judgement_for_every_incident() -> None:
    """The same diagnosis of the same kind of fault earns the same share of the cause whether it
    came on the first page (search-1, a gpu_oom night) or on a later one (night-two-pages)."""
    from oncall.scoring.diagnosis import alternative, alternative_to

    first = fresh_game("search-1", 7).record
    second = next(i for i in play(True).facts.incidents if i.id == "search")
    for cause in ("I9", "I5", "D4"):
        assert alternative(Run(first), cause) == alternative_to(second.cause,
                                                                second.alternatives, cause)
