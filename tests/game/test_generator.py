"""Random nights: drawn from the seed, checked by playing them, rebuilt from their id."""

from __future__ import annotations

import json

import pytest
from worlds import GENERATED_GROUP, generated_night

from oncall.content.checks import check_scenario
from oncall.content.kinds import fault_kinds
from oncall.game import remediations
from oncall.game.engine import Game
from oncall.game.generator import GenerationError, generate, random_id, scenario
from oncall.scoring import score
from oncall.sim.catalogue import ARCHETYPES_BY_NAME

NIGHTS = [(seed, ("easy", "normal", "hard")[seed % 3]) for seed in range(1, 13)]


# On the worker of the generated nights, which the monitor-reach test draws too.
@GENERATED_GROUP
@pytest.mark.parametrize(("seed", "difficulty"), NIGHTS)
def test_a_random_night_keeps_the_promises_of_a_scenario(seed: int, difficulty: str) -> None:
    sc = generated_night(seed, difficulty)
    assert check_scenario(sc, fault_kinds(), sc.id) == []
    g = Game(sc, seed)
    f = g.record.facts
    assert f.onset_at <= f.page_at <= f.onset_at + sc.fault.page_within
    for cmd in sc.playbook.right:
        assert g.do(cmd).ok, cmd
    card = score(g.record)
    assert card.total >= 60, [(s.name, s.points, s.feedback) for s in card.sections]
    kind = fault_kinds()[sc.fault.kind]
    assert sc.answers.cause == kind.catalogue
    assert sc.fault.kind not in sc.title and sc.answers.cause not in sc.title
    # Nor in its id, which the page, the loading screen and the save's name show the player.
    page = json.dumps(Game(sc, seed).page().model_dump(mode="json"))
    words = [sc.fault.kind, sc.fault.kind.replace("_", "-"), sc.fault.kind.replace("_", " ")]
    assert not any(w in sc.id or w in page for w in words), (sc.id, sc.fault.kind)
    # The night fits its kind, in the model's own terms, and is keyed as the kind says.
    assert kind.unfit(ARCHETYPES_BY_NAME[sc.fault.model]) is None
    assert kind.domain(sc.fault.model).items() <= sc.fault.params.items()
    assert (sc.answers.severity, sc.answers.remediations) == (kind.severity, kind.remediations)
    w, model = g.world, g.world.model(sc.fault.model)
    for rid in sc.answers.remediations:
        assert remediations.fit(rid, w, model) is None, rid
        if rid in remediations.MONITORS:
            replay = remediations.replay(rid, w)
            assert replay is not None and replay.fired_at is not None, rid
            assert replay.fired_at >= w.fault.onset - w.fault.lead, rid


def test_the_same_id_rebuilds_the_same_night_and_difficulty_adds_red_herrings() -> None:
    a = scenario(random_id(5, "hard"))
    assert a.model_dump() == generate(5, "hard").model_dump()
    kinds = {n.kind for n in a.noise}
    assert "unrelated_deploy" in kinds
    assert generate(5, "easy").noise == []


def test_a_bad_random_id_is_not_a_scenario() -> None:
    from oncall.content.loader import ContentError

    with pytest.raises(ContentError):
        scenario("random-x-normal")
    assert issubclass(GenerationError, ValueError)


def test_a_random_night_keys_the_alternatives_of_its_kind() -> None:
    """search-1 gave I9 (bad deploy config) half the cause points for a GPU out of memory after
    a config-only deploy; a random night of the same kind judged I9 wholly wrong, as its key
    had no alternatives. They are the kind's now, for every night of it, drawn or written."""
    from oncall.content import loader
    from oncall.game.generator import pick_kind

    kind = fault_kinds()["gpu_oom"]
    assert [(a.cause, a.credit) for a in kind.alternatives] == [("I9", 0.5)]
    seed = next(s for s in range(1, 400) if pick_kind(s) == "gpu_oom")
    sc = generate(seed, "normal")

    def cause_points(cause: str, scenario=sc) -> float:  # type: ignore[no-untyped-def]
        g = Game(scenario, seed)
        g.do({"do": "ack"})
        look = g.do({"do": "deploys", "model": scenario.fault.model})
        g.do({"do": "diagnose", "category": "infra", "cause": cause, "evidence": [look.id]})
        return next(s.points for s in score(g.record).sections if s.name == "diagnosis")

    right, alternative, wrong = cause_points("I1"), cause_points("I9"), cause_points("D4")
    assert right > alternative > wrong, (right, alternative, wrong)
    written = loader.scenario("search-1")
    assert not written.answers.alternatives  # keyed by its kind, not by a copy of its own
    assert Game(written, 7).record.answers.alternatives == \
        [a.model_dump() for a in kind.alternatives]
