"""Fit and the tuning lab: a remediation that cannot apply writes nothing, is not replayed and
not claimed, and says why; a tuned threshold goes into the rule file and the record, and on the
fraud scorer a tighter one buys lead time with false alarms last week."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from export_helpers import play
from oncall_cli import run_oncall

from oncall.content import loader
from oncall.game.engine import Game
from oncall.scoring import score
from oncall.store.saves import save_incident
from oncall.story.star import learning

UNFIT = ["mon-gpu-headroom", "mon-canary-errors", "test-canary-gate", "mon-feature-range"]
NO_ITEMS: list[dict[str, str]] = []
"""The playbook's action items describe its remediations in words, which proposes them too."""


def test_remediations_that_do_not_fit_the_model_are_not_generated_and_say_why() -> None:
    g = play("fraud-1", {"remediations": UNFIT, "action_items": NO_ITEMS})
    f = g.record.facts
    last = g.record.entries[-1].observation
    assert set(f.not_generated) == {"mon-gpu-headroom", "mon-canary-errors", "test-canary-gate"}
    assert "serves on CPU" in f.not_generated["mon-gpu-headroom"]
    assert "no canary" in f.not_generated["mon-canary-errors"]
    assert {a.remediation for a in f.artifacts} == {"mon-feature-range"}
    assert [r.remediation for r in f.replays] == ["mon-feature-range"]
    assert "not generated: mon-gpu-headroom: fraud-scorer serves on CPU" in last.text
    assert last.data["not_generated"] == f.not_generated
    story = " ".join(learning(g.record))
    assert "GPU" not in story and "canary" not in story.lower()
    assert "monitoring/fraud-scorer-mon-feature-range.rules.yml" in story


def test_only_unfit_remediations_leave_no_claim_of_a_file() -> None:
    g = play("fraud-1", {"remediations": ["mon-gpu-headroom"], "action_items": NO_ITEMS})
    assert not g.record.facts.artifacts and not g.record.facts.replays
    story = " ".join(learning(g.record))
    assert "I added" not in story


def tuned(threshold: float, for_min: int) -> Game:
    return play("fraud-1", {"tuning": {"mon-feature-range": {"threshold": threshold,
                                                             "for_min": for_min}}})


def test_a_tighter_threshold_buys_lead_with_false_alarms_and_the_score_weighs_both() -> None:
    default, tight = play("fraud-1"), tuned(0.1, 0)
    d = next(r for r in default.record.facts.replays if r.remediation == "mon-feature-range")
    t = next(r for r in tight.record.facts.replays if r.remediation == "mon-feature-range")
    assert (d.threshold, d.for_min) == (0.5, 5) and (t.threshold, t.for_min) == (0.1, 0)
    assert t.lead_minutes is not None and d.lead_minutes is not None
    assert t.lead_minutes > d.lead_minutes and t.false_alarms_week > d.false_alarms_week == 0
    card = {s.name: s for s in score(tight.record).sections}["self_awareness"]
    quiet = {s.name: s for s in score(default.record).sections}["self_awareness"]
    assert card.points < quiet.points, "the false alarms cost more than the extra lead earns"
    rule = next(a for a in tight.record.facts.artifacts if a.kind == "monitor")
    alert = yaml.safe_load(rule.content)["groups"][-1]["rules"][0]
    assert alert["expr"].endswith("> 0.1") and alert["for"] == "0m"


def test_the_tune_command_answers_with_the_replay_and_a_chart() -> None:
    sc = loader.scenario("fraud-1")
    g = Game(sc, 7)
    for cmd in sc.playbook.right[:-1]:
        g.do(cmd)
    obs = g.do({"do": "tune", "remediation": "mon-feature-range", "threshold": 0.1,
                "for_min": 0})
    assert obs.ok and obs.cost == 0
    rep = obs.data["replay"]
    assert rep["false_alarms_week"] > 0 and rep["lead_minutes"] > 0
    assert f"{rep['false_alarms_week']} false alarms in the week before" in obs.text
    chart = obs.data["chart"]
    assert len(chart["t"]) == len(chart["v"]) <= 240 and chart["threshold"] == 0.1
    assert max(chart["v"]) > 0.1
    unfit = g.do({"do": "tune", "remediation": "mon-gpu-headroom"})
    assert unfit.ok and not unfit.data["applicable"] and "serves on CPU" in unfit.text
    bad = g.do({"do": "tune", "remediation": "mon-feature-range", "threshold": 90})
    assert not bad.ok and "threshold 90 is outside 0.05..20" in (bad.error or bad.text)
    pm = g.do({**sc.playbook.right[-1], "tuning": {"mon-gpu-headroom": {"threshold": 0.8}}})
    assert not pm.ok and "not among the remediations proposed" in (pm.error or pm.text)


def test_oncall_export_writes_the_folder_and_refuses_a_used_one(tmp_path: Path) -> None:
    g = play("fraud-1")
    save = save_incident(g.record, score(g.record), tmp_path / "home")
    dest = tmp_path / "pr"
    out = run_oncall(["export", str(save), str(dest)])
    assert out.returncode == 0, out.stderr
    assert (dest / "monitoring/fraud-scorer-mon-feature-range.rules.yml").is_file()
    assert (dest / "contracts/payments-events/fixtures/faulty/output.csv").is_file()
    assert "ONCALL_FIXTURES=faulty" in (dest / "README.md").read_text()
    again = run_oncall(["export", str(save), str(dest)])
    assert again.returncode == 2 and "not an empty folder" in again.stderr
    assert "Traceback" not in again.stderr
    json.loads(save.read_text())  # the save itself is untouched
