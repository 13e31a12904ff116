"""The primitives a log flood and a shadow evaluation are built from tell one story across tools:
DEBUG lines at many a minute in the logs tool, a node's disk in the dashboard and the infra view
(DiskPressure, evicted pods that write nothing), a rollback that keeps the config the kind says,
and a shadow revision the deploys tool lists beside the live one."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from oncall.content import loader
from oncall.game.engine import Game
from oncall.sim.faultdef import DeployEntry, LogTemplate, Rollback
from oncall.sim.telemetry import DISK_PRESSURE


def _game(sid: str, seed: int = 7) -> Game:
    g = Game(loader.scenario(sid), seed)
    g.do({"do": "ack"})
    return g


def test_debug_lines_come_many_a_minute_and_the_level_filter_drops_them() -> None:
    g = _game("eta-2")
    everything = g.do({"do": "logs", "model": "eta-predictor", "window": 10})
    debug = [ln for ln in g.world.logs("eta-predictor", g.now - 10, g.now) if ln.level == "DEBUG"]
    minutes = {int(ln.t) for ln in debug}
    assert len(minutes) == 10 and len(debug) > 10 * 10
    assert f"{len(debug)} DEBUG" in everything.text
    info = g.do({"do": "logs", "model": "eta-predictor", "level": "INFO", "window": 10})
    # The filtered look drops every DEBUG line; its header still counts them in the window.
    assert all(ln["level"] != "DEBUG" for ln in info.data["lines"])
    assert "DEBUG" not in "\n".join(info.text.splitlines()[1:]) and \
        info.data["total"] < len(debug)
    assert "at INFO or above (of " in info.text.splitlines()[0] and \
        " DEBUG)" in info.text.splitlines()[0]


def test_the_flood_writes_from_the_log_level_change_not_from_the_onset() -> None:
    g = _game("eta-2")
    w, inc = g.world, g.world.fault
    change = inc.onset + inc.minute(inc.params["changed_at"])
    before = w.logs("eta-predictor", change - 10, change)
    after = w.logs("eta-predictor", change, change + 10)
    assert not any(ln.level == "DEBUG" for ln in before)
    assert sum(ln.level == "DEBUG" for ln in after) >= 10 * 20


def test_the_node_disk_fills_shows_pressure_and_its_pods_are_evicted_and_silent() -> None:
    g = _game("eta-2")
    w, inc = g.world, g.world.fault
    _, early = w.series("eta-predictor", "node_disk_used_frac", inc.onset - 180, inc.onset - 120)
    assert early.max() < 0.7
    infra = g.do({"do": "infra", "model": "eta-predictor"})
    node = infra.data["nodes"][0]
    assert node["condition"] == "DiskPressure"
    assert float(node["disk_used"].rstrip("%")) / 100 >= DISK_PRESSURE
    assert f"{node['name']} disk {node['disk_used']} (DiskPressure)" in infra.text
    assert all("condition" not in n for n in infra.data["nodes"][1:])
    evicted = {p["name"] for p in infra.data["pods"] if p["status"] == "Evicted"}
    on_node = {p["name"] for p in infra.data["pods"] if p["node"] == node["name"]}
    assert evicted and evicted == on_node
    writers = {ln.pod for ln in w.logs("eta-predictor", g.now - 5, g.now)}
    assert writers and not writers & evicted


def test_a_healthy_night_has_no_disk_pressure_on_any_node() -> None:
    g = _game("pricing-4")
    for n in g.world.infra("price-optimizer")["nodes"]:
        assert "condition" not in n and float(n["disk_used"].rstrip("%")) < 70


def test_a_rollback_keeps_the_config_the_kind_keeps_and_changes_nothing() -> None:
    g = _game("eta-2")
    m = g.world.model("eta-predictor")
    before = m.live_deploy(g.now)
    assert before.config["log_level"] == "DEBUG"
    obs = g.do({"do": "rollback", "model": "eta-predictor"})
    after = m.live_deploy(g.now)
    assert after.revision == before.revision + 1 and after.note.startswith("rollback from")
    assert after.config["log_level"] == "DEBUG"  # the ConfigMap is not part of a revision
    assert obs.data is not None and g.record.facts.interventions[-1].effect == "none"
    g.do({"do": "wait", "minutes": 15})
    assert not g.world.recovered()


def test_a_rollback_without_a_keep_restores_the_earlier_config() -> None:
    g = _game("pricing-4")
    m = g.world.model("price-optimizer")
    cut = m.live_deploy(g.now)
    g.do({"do": "rollback", "model": "price-optimizer"})
    earlier = next(d for d in reversed(m.deploys) if d.at < cut.at)
    assert m.live_deploy(g.now).config == earlier.config


def test_a_shadow_revision_is_listed_beside_the_live_one_and_serves_nothing() -> None:
    g = _game("churn-2")
    m = g.world.model("churn-model")
    shadow = m.shadow_deploy(g.now)
    assert shadow is not None and shadow.shadow
    live = m.live_deploy(g.now)
    assert live.revision < shadow.revision and live.model_version != shadow.model_version
    obs = g.do({"do": "deploys", "model": "churn-model"})
    line = next(ln for ln in obs.text.splitlines() if ln.strip().startswith(f"r{shadow.revision}"))
    assert "shadow (mirrored traffic, serves none)" in line and "canary 0%" not in line
    writers = {ln.pod for ln in g.world.logs("churn-model", g.now - 30, g.now)
               if "shadow-writer" in ln.message}
    live_pods = {p["name"] for p in g.world.infra("churn-model")["pods"]}
    assert writers and not writers & live_pods  # the shadow's own pods write it
    g.do({"do": "rollback", "model": "churn-model"})
    assert m.shadow_deploy(g.now) is None and m.live_deploy(g.now).model_version == \
        live.model_version


def test_shadow_and_per_minute_are_validated() -> None:
    with pytest.raises(ValidationError, match="shadow revision serves no traffic"):
        DeployEntry(kind="deploy", shadow=True, canary_pct=10, note="x")
    with pytest.raises(ValidationError, match="per_minute"):
        LogTemplate(level="DEBUG", per_minute=61, template="x")


def test_rollback_keep_and_set_are_disjoint() -> None:
    with pytest.raises(ValidationError, match="kept or set"):
        Rollback(keep=["log_level"], set={"log_level": "INFO"})
