"""Colleagues push back on what happened, not on a script: the data engineer on call defends an
announced producer change (a failed job or a partner's outage is nothing to defend), and a model
owner defends the change a rollback would take back (a version, a config change, an image)."""

from __future__ import annotations

from functools import cache

from shift_helpers import incident_page

from oncall.game.shift import Shift
from oncall.game.shiftplan import ATTEMPTS, incident_scenario

LENGTH = 360


@cache
def drawn(seed: int) -> frozenset[str]:
    """The fault kinds any attempt of an easy night of `seed` draws (the night is built on one of
    them): a night that cannot hold the kinds asked for is not built. Kept for the process: the
    tests here scan the same first seeds."""
    return frozenset(f.kind for attempt in range(ATTEMPTS)
                     for f in incident_scenario(seed, LENGTH, "easy", attempt)[0].faults)


@cache
def held(seed: int) -> frozenset[str]:
    """The fault kinds of the incidents the easy night of `seed` holds, as built."""
    built = Shift(seed, length=LENGTH, difficulty="easy")
    return frozenset(i.kind.id for i in built.world.incidents.values())


def night_of(kinds: set[str]) -> Shift:
    """A new build of the first easy night that holds an incident of one of `kinds`."""
    for seed in range(80):
        if drawn(seed) & kinds and held(seed) & kinds:
            return Shift(seed, length=LENGTH, difficulty="easy")
    raise AssertionError(f"no easy night of {sorted(kinds)} in 80 seeds")


def held_rollback(s: Shift) -> str:
    page = incident_page(s)
    obs = s.do({"do": "rollback", "model": page["model"]})
    assert obs.kind == "held", obs.text
    return s.record.facts.conversations[-1].opening


def escalate(s: Shift) -> str:
    page = incident_page(s)
    obs = s.do({"do": "escalate", "team": "data-engineering", "model": page["model"],
                "message": "Please look at the feed into this model."})
    assert obs.ok, obs.text
    return obs.kind


def test_an_announced_producer_change_is_defended() -> None:
    s = night_of({"unit_change", "field_renamed", "label_join_broken"})
    assert escalate(s) == "held"
    conv = s.record.facts.conversations[-1]
    assert conv.trigger == "escalate:data-engineering"
    assert "producer change was announced" in conv.opening


def test_a_failed_job_or_an_outage_is_not_defended() -> None:
    s = night_of({"stale_features", "partner_feed_outage"})
    assert escalate(s) == "escalate"
    assert not [c for c in s.record.facts.conversations
                if c.trigger == "escalate:data-engineering"]


def test_the_owner_defends_the_config_change_a_rollback_undoes() -> None:
    s = night_of({"bad_deploy_config", "gpu_oom"})
    opening = held_rollback(s)
    live = s.world.model(s.world.fault.model).deploys[-1]
    assert f"runs revision {live.revision}'s config change (" in opening, opening
    assert "offline" not in opening


def test_the_owner_defends_the_version_a_rollback_undoes() -> None:
    s = night_of({"wrong_artifact", "nan_outputs"})
    opening = held_rollback(s)
    live = s.world.model(s.world.fault.model).deploys[-1]
    assert f"runs {live.model_version}, which scored " in opening, opening


def test_a_rollback_that_changes_nothing_has_nothing_to_defend() -> None:
    """The debug log level lives in a ConfigMap outside the revision (the kind's rollback keeps
    it): a rollback takes back no change of the owner's, so no one pushes back on it."""
    s = night_of({"log_flood_disk"})
    page = incident_page(s)
    obs = s.do({"do": "rollback", "model": page["model"]})
    assert obs.kind != "held", obs.text
    assert not [c for c in s.record.facts.conversations if c.trigger == "rollback"]
    live = s.world.model(page["model"]).live_deploy(s.now)
    assert live.config["log_level"] == "DEBUG", "the rollback kept the log level, as it says"
