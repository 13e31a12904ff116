"""A second authored folder, written the way a newcomer writes one from the docs alone: a node
condition of its own that a `where_node` pods effect selects (listed before the nodes effect that
sets it), events counting the pods it took down, and a night with several `also:` faults, one a
data fault renaming a categorical feature's values."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from content_folders import content_folder

from oncall import cli
from oncall.content import loader
from oncall.content.kinds import fault_kinds
from oncall.game import conformance, generator
from oncall.game.engine import Game
from oncall.sim.catalogue import ARCHETYPES
from oncall.sim.faults import Incident
from oncall.sim.impact import impact, silent
from oncall.story.spoken import spoken_stories
from oncall.story.star import action

FOLDER = Path(__file__).parent / "authored_infra"


@pytest.fixture
def folder():  # type: ignore[no-untyped-def]
    with content_folder(FOLDER):
        yield


def _game() -> Game:
    g = Game(loader.scenario("new-conntrack-1"), 7)
    g.do({"do": "ack"})
    return g


def test_where_node_selects_the_pods_of_a_node_a_later_effect_marks(folder: None) -> None:
    g = _game()
    infra = g.do({"do": "infra", "model": "price-optimizer"})
    nodes = {n["name"]: n for n in infra.data["nodes"]}
    full = {name for name, n in nodes.items() if n.get("condition") == "ConntrackTableFull"}
    assert len(full) == 1
    down = [p for p in infra.data["pods"] if p["status"] == "CrashLoopBackOff"]
    assert down and {p["node"] for p in down} == full
    assert all(p["status"] == "Running" for p in infra.data["pods"] if p["node"] not in full)
    # The event counts the pods the infra view shows down, not every pod of the model.
    (backoff,) = [e for e in infra.data["events"] if e["reason"] == "BackOff"]
    assert f"({len(down)} pods)" in backoff["message"]


def test_a_category_renamed_to_names_never_trained_on_counts_requests_affected(
        folder: None) -> None:
    # The weekday fault renames every value to a full day name: the unseen-category rate pages,
    # and the requests served with a category the model never trained on are affected ones.
    g = _game()
    while g.now < 150:  # a wait ends early at a new page
        g.do({"do": "wait", "minutes": 15})
    imp = impact(g.world, "weekday")
    assert imp["requests_affected"] > 0 and imp["requests_failed"] == 0
    assert "prediction_shift_pct" not in imp
    shipped = Game(loader.scenario("fraud-6"), 3)  # the vocabulary change renames country codes
    shipped.do({"do": "ack"})
    shipped.do({"do": "wait", "minutes": 10})
    assert impact(shipped.world)["requests_affected"] > 0


def test_a_remap_within_the_training_vocabulary_stays_a_quality_fault() -> None:
    shipped = fault_kinds()["vocabulary_change"]
    swap = shipped.rows[0].model_copy(update={"mapping": {"US": "GB", "GB": "US"}})
    assert silent(Incident(shipped.model_copy(update={"rows": [swap]}), "fraud-scorer", 0, {}))
    assert not silent(Incident(fault_kinds()["vocabulary_change"], "fraud-scorer", 0, {}))


def test_an_event_keeps_the_count_it_had_when_it_happened(folder: None) -> None:
    # After the fix the node's pods run again, but the BackOff event still on the record counts
    # the pods that were down at its minute, as the first look showed it.
    g = _game()
    first = g.do({"do": "infra", "model": "price-optimizer"})
    g.do({"do": "hotfix", "model": "price-optimizer", "fix": "cordon_drain_node"})
    g.do({"do": "wait", "minutes": 10})
    later = g.do({"do": "infra", "model": "price-optimizer"})
    assert all(p["status"] == "Running" for p in later.data["pods"])
    assert [e for e in later.data["events"] if e["reason"] == "BackOff"] == \
        [e for e in first.data["events"] if e["reason"] == "BackOff"]


def test_status_lists_only_the_incidents_that_have_paged(folder: None) -> None:
    # The flap on spam-filter pages at 02:28: before then `status` knows nothing of it, as
    # `resolve` does not, and never names a page time still to come.
    g = _game()
    early = g.do({"do": "status"})
    assert "incident flap" not in early.text and "incident weekday" not in early.text
    assert [i["id"] for i in early.data["incidents"]] == ["main"]
    while g.now < 140:
        g.do({"do": "wait", "minutes": 5})
    later = g.do({"do": "status"})
    assert g.now < 148
    assert "incident weekday: demand-forecast, paged 02:13, open" in later.text
    assert "incident flap" not in later.text


def test_the_docs_list_every_model_with_its_features_and_training_values() -> None:
    # faults/README.md is all a newcomer reads: its model table is the fleet's own.
    text = (Path(__file__).parents[2] / "faults" / "README.md").read_text(encoding="utf-8")
    rows = {cells[0]: cells for line in text.splitlines()
            if line.startswith("| ") and len(cells := [c.strip() for c in
                                                       line.strip("|").split("|")]) == 5}
    for arch in ARCHETYPES:
        _, runs, cont, cat, sources = rows[arch.name]
        assert runs == f"{arch.hardware} {arch.model_type}"
        assert cont == ", ".join(f.name for f in arch.features if f.kind == "continuous")
        assert cat == "; ".join(f"{f.name}: {' '.join(f.categories)}"
                                for f in arch.features if f.kind == "categorical")
        assert sources == ", ".join(dict.fromkeys(f.source for f in arch.features))


def test_the_story_judges_each_move_against_the_incident_it_addressed(folder: None) -> None:
    # The weekday fault on demand-forecast was still on when it was remapped, though the main
    # incident had stopped half an hour earlier: neither story may say it had already stopped.
    sc = loader.scenario("new-conntrack-1")
    g = Game(sc, 7)
    for c in sc.playbook.right:
        g.do(c)
    weekday = next(i for i in g.record.facts.incidents if i.id == "weekday")
    remap = next(iv for iv in g.record.facts.interventions
                 if iv.command.get("fix") == "remap_field")
    assert g.record.facts.mitigated_at < remap.effective_at == weekday.mitigated_at
    [line] = [ln for ln in action(g.record) if "remap_field" in ln]
    assert "already mitigated" not in line and ": it worked" in line
    [told] = [s.text for s in spoken_stories(g.record) if s.question == "incident"]
    assert "I remapped the renamed field on demand-forecast, and that stopped the fault " \
        "there." in told
    assert "after the fault had already stopped" not in told


def test_a_scenario_whose_answer_disagrees_with_its_kind_is_a_line_not_a_crash(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 'the fault kind conntrack_full is catalogue I13, not I5' starts like the line of a broken
    # kind; validate reports it and goes on.
    shutil.copytree(FOLDER, tmp_path / "c")
    night = tmp_path / "c" / "incidents" / "new-conntrack-1.yaml"
    night.write_text(night.read_text().replace("cause: I13", "cause: I5"))
    try:
        assert cli.main(["validate", str(tmp_path / "c")]) == 1
    finally:
        loader.clear_caches()
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{night}: answers.cause: the fault kind conntrack_full is catalogue I13 "
                   "(node connection-tracking table full), not I5; valid: I13"]


def test_a_refused_resolve_does_not_deny_the_service_level_status_reports(folder: None) -> None:
    # Drained at 01:53, the service level is back at 01:57 while the burn-rate alert's window
    # still holds the errors: resolve says what it waits for, not that the service is not back.
    sc = loader.scenario("new-conntrack-1")
    g = Game(sc, 7)
    for c in sc.playbook.right[:6]:
        g.do(c)
    g.do({"do": "wait", "minutes": 5})
    assert "service level back at 01:57" in g.do({"do": "status"}).text
    refused = g.do({"do": "resolve", "incident": "main"})
    assert not refused.ok and "not back" not in refused.text
    assert refused.text == ("Cannot resolve at 01:59: the service level has been back since "
                            "01:57, but ErrorBudgetBurnFast is still firing; wait until it "
                            "clears.")


def test_a_node_fault_on_a_model_with_one_node_takes_down_only_that_nodes_pods() -> None:
    # Random night 50 loses a GPU node under eta-dispatch-gnn, whose three replicas fit on one
    # node: the kind takes one node of several, so the model runs on a second one, and the pods
    # left there serve and write the timeouts that the 12% error ratio is made of.
    sc = generator.generate(50, "normal", "gpu_node_lost")
    g = Game(sc, 50)
    g.do({"do": "ack"})
    model = sc.fault.model
    infra = g.do({"do": "infra", "model": model})
    lost = {n["name"] for n in infra.data["nodes"] if n["ready"] is False}
    assert len(lost) == 1 and len(infra.data["nodes"]) == 2
    # The node it runs on besides has its own disk level, a few points under node 01's (it
    # copied node 01's figure).
    disk = [int(n["disk_used"].rstrip("%")) for n in infra.data["nodes"]]
    assert disk[0] - 10 <= disk[1] < disk[0]
    running = [p for p in infra.data["pods"] if p["status"] == "Running"]
    assert running and all(p["node"] not in lost for p in running)
    assert all(p["node"] in lost for p in infra.data["pods"] if p["status"] != "Running")
    logs = g.do({"do": "logs", "model": model, "level": "ERROR"})
    assert "reset reason: connection timeout" in logs.text


def _conformance_with(tmp_path: Path, file: str, old: str, new: str) -> list[str]:
    """The harness's failures on seed 7 for a copy of the folder with one file edited."""
    shutil.copytree(FOLDER, tmp_path / "c")
    edited = tmp_path / "c" / file
    edited.write_text(edited.read_text().replace(old, new))
    loader.use_content([tmp_path / "c"])
    try:
        return conformance.run([tmp_path / "c"], seeds=(7,))
    finally:
        loader.clear_caches()


def test_an_unshown_evidence_signal_names_the_field_what_was_played_and_what_it_showed(
        tmp_path: Path) -> None:
    failures = _conformance_with(tmp_path, "faults/conntrack_full.yaml",
                                 "text: CrashLoopBackOff}", "text: CrashLoopBackOfff}")
    assert failures == [
        "new-conntrack-1 seed 7: answers.evidence.1: crashloop was not shown by infra "
        "price-optimizer at 01:45 (its signal needs text matching 'CrashLoopBackOfff'); that "
        "observation showed conntrack-node, event:back-off-restarting-failed-container, "
        "event:liveness-probe-failed; valid: one of those, or a signal whose condition the "
        "tool's text meets"]


def test_a_right_move_that_does_not_fix_names_its_field_and_what_is_valid(
        tmp_path: Path) -> None:
    failures = _conformance_with(
        tmp_path, "incidents/new-conntrack-1.yaml",
        '- {kind: escalate, team: infra-sre, why: "they own the node"}',
        '- {kind: escalate, team: infra-sre, why: "they own the node"}\n'
        '    - {kind: hotfix, model: price-optimizer, fix: scale_up, why: "more replicas"}')
    assert failures == [
        "new-conntrack-1 seed 7: answers.right.2: hotfix price-optimizer scale_up answered with "
        "outcome partial, the fault still on 45 min later; valid for a right move: a response "
        "with outcome fixes, and the fault gone 45 min later"]


def test_a_control_beside_the_page_is_not_counted_as_an_incident_left_unmitigated(
        folder: None) -> None:
    """new-conntrack-1's flapping alert (`also:`, a no-fault control) needs no fix: its right
    play's mitigation points are the mean over the incidents that had something to fix, and the
    scorecard says the control had nothing to fix instead of 'was never mitigated'."""
    import io
    import json

    from oncall import headless

    sc = loader.scenario("new-conntrack-1")
    out = io.StringIO()
    script = "\n".join(json.dumps(c) for c in sc.playbook.right)
    headless.run(sc, 7, None, io.StringIO(script), out, save=False)
    card = json.loads(out.getvalue().splitlines()[-1])["scorecard"]
    section = next(s for s in card["sections"] if s["name"] == "intervention")
    [line] = [f for f in section["feedback"] if f.startswith("Mitigated at")]
    assert "incident flap (spam-filter) had nothing to fix" in line
    assert "flap (spam-filter) was never mitigated" not in line


def test_an_incident_story_tells_its_own_evidence_and_names_a_move_on_another_model(
        folder: None) -> None:
    """The page's story tells what the looks at its own model showed, not the flap's or the
    weekday fault's evidence from looks at other models, and a fix made on another incident's
    model says which model it was on."""
    sc = loader.scenario("new-conntrack-1")
    g = Game(sc, 7)
    for command in sc.playbook.right:
        g.do(command)
    elsewhere = {e.command.get("model") for e in g.record.entries
                 if e.observation.signals and e.command.get("model") != sc.fault.model}
    assert elsewhere  # the play looked at the other incidents' models and saw their signals
    [story] = [s for s in spoken_stories(g.record) if s.question == "incident"]
    assert "clients hanging up" not in story.text
    assert "the producer's release" not in story.text
    assert "I remapped the renamed field on demand-forecast, and that stopped the fault there" \
        in story.text
