"""Fault kinds are data: every shipped definition validates, and a broken one is reported with
its file, field and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oncall.content.kinds import fault_kinds, faults_dir, validate_kinds
from oncall.sim.catalogue import ARCHETYPES_BY_NAME, FAULTS_BY_ID


def test_every_shipped_kind_validates_and_names_a_catalogue_entry_of_its_category() -> None:
    kinds = fault_kinds()
    assert len(kinds) >= 8
    for k in kinds.values():
        assert FAULTS_BY_ID[k.catalogue].category == k.category


def test_a_broken_definition_gets_one_problem_per_mistake(tmp_path: Path) -> None:
    data = yaml.safe_load((faults_dir() / "gpu_oom.yaml").read_text())
    data["catalogue"] = "M1"  # a model fault, but the kind says infra
    data["metrics"][0]["value"] = "params.batch_sise"
    data["transform"] = "my_transform"
    bad = tmp_path / "faults" / "gpu_oom.yaml"
    bad.parent.mkdir()
    bad.write_text(yaml.safe_dump(data))
    problems = [str(p) for p in validate_kinds([bad])]
    assert any(": metrics.0.value: params.batch_sise is not a declared parameter; valid: "
               "params.batch_size" in p for p in problems), problems
    data["metrics"][0]["value"] = 0.995
    bad.write_text(yaml.safe_dump(data))
    problems = [str(p) for p in validate_kinds([bad])]
    assert any(": category: M1 (bad canary version) is a model fault, not infra" in p
               for p in problems), problems
    assert any(": transform: no custom transform 'my_transform'" in p for p in problems)


def _kind_with(tmp_path: Path, name: str, change: dict[str, object]) -> list[str]:
    data = yaml.safe_load((faults_dir() / f"{name}.yaml").read_text())
    data.update(change)
    bad = tmp_path / "faults" / f"{name}.yaml"
    bad.parent.mkdir(exist_ok=True)
    bad.write_text(yaml.safe_dump(data))
    return [str(p) for p in validate_kinds([bad])]


def test_a_kind_names_only_models_it_can_fit_in_their_own_terms(tmp_path: Path) -> None:
    unit = yaml.safe_load((faults_dir() / "unit_change.yaml").read_text())["fits"]
    problems = _kind_with(tmp_path, "unit_change", {"fits": {"models": {
        **unit["models"], "recsys-rankr": {"feature": "dwell_time_ms"},
        "churn-model": {"feature": "plan", "factor": 0.01},
        "credit-limit": {"feature": "income_cents", "factor": 1e9},
        "eta-predictor": {"feature": "distance_km", "unit": "miles"}}}})
    joined = " | ".join(problems)
    assert "fits.models.recsys-rankr: unknown model" in joined
    assert "fits.models.churn-model: feature: 'plan' is not a continuous feature of " \
           "churn-model; valid: days_since_login, monthly_spend_cents" in joined
    assert "fits.models.credit-limit: factor: 1000000000.0 is not a float within" in joined
    assert "fits.models.eta-predictor: unit: not a parameter of unit_change" in joined
    gpu = _kind_with(tmp_path, "gpu_oom", {"fits": {"hardware": "gpu",
                                                    "models": {"fraud-scorer": {}}}})
    assert any("gpu_oom needs a GPU model; fraud-scorer runs on CPU" in p for p in gpu), gpu


def test_a_scenario_on_a_model_the_kind_does_not_fit_or_keyed_otherwise_is_a_problem() -> None:
    from oncall.content import loader
    from oncall.content.checks import check_scenario

    base = loader.scenario("fraud-2")
    doc = base.model_dump(mode="json")
    doc["fault"]["model"] = "lead-scorer"
    doc["fault"]["params"] = {**doc["fault"]["params"], "feature": "company_size"}
    doc["answers"]["severity"] = 4
    doc["answers"]["remediations"] = ["mon-label-volume"]
    sc = loader.Scenario.model_validate(doc)
    problems = [str(p) for p in check_scenario(sc, fault_kinds(), "x.yaml")]
    assert "x.yaml: fault.model: attack_wave fits only fraud-scorer, image-moderation, " \
           "review-toxicity, spam-filter" in problems
    assert any(p.startswith("x.yaml: answers.severity: the fault kind attack_wave is SEV-2")
               for p in problems), problems
    assert any(p.startswith("x.yaml: answers.remediations.0: 'mon-label-volume' is not a "
                            "remediation of attack_wave") for p in problems), problems


DECLARED = sorted((k.id, m) for k in fault_kinds().values() for m in k.fits.models or {})


@pytest.mark.parametrize(("kind_id", "model"), DECLARED)
def test_every_model_a_kind_names_pages_in_time_for_a_random_night(kind_id: str,
                                                                   model: str) -> None:
    """A model a kind declares it fits is one a random night can be drawn on: with its own
    values (and the other parameters at their defaults) the fault pages in time."""
    from oncall.game.generator import PAGE_WITHIN
    from oncall.sim.world import IncidentSpec, World, WorldSpec

    kind = fault_kinds()[kind_id]
    arch = ARCHETYPES_BY_NAME[model]
    params = {n: next(f.name for f in arch.features if p.feature_kind in (None, f.kind))
              for n, p in kind.params.items() if p.type == "feature"}
    params.update(kind.domain(model))
    world = World(3, WorldSpec(incidents=(IncidentSpec(kind, model, 110, params),)))
    assert world.fault.page_at is not None
    assert world.fault.page_at - world.fault.onset <= PAGE_WITHIN


def test_a_validated_kind_is_read_back_from_disk_until_its_file_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.content import kinds, loader

    monkeypatch.setenv(loader.CACHE_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "faults"
    folder.mkdir()
    path = folder / "unit_change.yaml"
    data = yaml.safe_load((faults_dir() / "unit_change.yaml").read_text())
    path.write_text(yaml.safe_dump(data))
    first = kinds.Registry(folder)["unit_change"]
    assert list((tmp_path / "cache").glob("kinds-*.pickle"))

    def never(path: Path, data: object = None) -> object:
        raise AssertionError(f"{path} parsed again")

    with monkeypatch.context() as m:
        m.setattr(kinds, "parse_kind", never)
        again = kinds.Registry(folder)["unit_change"]
    assert again == first

    data["catalogue"] = "M1"  # now a model fault in an infra kind's file: it must be re-read
    path.write_text(yaml.safe_dump(data))
    registry = kinds.Registry(folder)
    assert "unit_change" not in registry
    broken = registry.broken("unit_change")
    assert broken is not None and "category" in str(broken)


def test_each_causes_signals_are_read_back_from_disk_until_a_kind_file_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What each catalogue cause leaves (its kinds' signal ids) is what the kinds say, and a
    new process reads it from the cache without reading the kinds; a changed or broken kind
    file has it worked out again, and a broken one keeps it off the disk."""
    from oncall.content import kinds, loader

    monkeypatch.setenv(loader.CACHE_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "faults"
    folder.mkdir()
    for name in ("unit_change", "cert_expired", "bad_canary"):
        (folder / f"{name}.yaml").write_bytes((faults_dir() / f"{name}.yaml").read_bytes())
    registry = kinds.Registry(folder)
    expected: dict[str, list[str]] = {}
    for kind in registry.values():
        expected.setdefault(kind.catalogue, []).extend(s.id for s in kind.signals)
    assert kinds.Registry(folder).signals_by_cause() == expected

    def never(*args: object) -> object:
        raise AssertionError(f"{args[-1]} read again")

    with monkeypatch.context() as m:
        m.setattr(kinds.Registry, "_get", never)  # no kind is read, from its file or the cache
        assert kinds.Registry(folder).signals_by_cause() == expected

    data = yaml.safe_load((folder / "bad_canary.yaml").read_text())
    data["catalogue"] = "I1"  # a model kind's file naming an infra cause: broken
    (folder / "bad_canary.yaml").write_text(yaml.safe_dump(data))
    changed = kinds.Registry(folder).signals_by_cause()
    assert changed == {k: v for k, v in expected.items() if k != "M1"}
    with monkeypatch.context() as m:
        m.setattr(kinds, "parse_kind", never)  # the broken file is read again, nothing kept
        with pytest.raises(AssertionError, match=r"bad_canary\.yaml read again"):
            kinds.Registry(folder).signals_by_cause()


def test_the_kind_cache_can_be_turned_off_and_survives_an_unreadable_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.content import kinds, loader

    monkeypatch.setenv(loader.CACHE_ENV, "off")
    assert kinds.Registry(faults_dir())["unit_change"].id == "unit_change"
    garbage = tmp_path / "cache"
    garbage.mkdir()
    monkeypatch.setenv(loader.CACHE_ENV, str(garbage))
    kinds.Registry(faults_dir())["unit_change"]
    for stored in garbage.glob("kinds-*.pickle"):
        stored.write_bytes(b"not a pickle")
    assert kinds.Registry(faults_dir())["unit_change"].id == "unit_change"


def test_the_kind_cache_keeps_only_its_newest_files(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from oncall.content import kinds, loader

    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setenv(loader.CACHE_ENV, str(folder))
    for n in range(6):  # files another code or content wrote, oldest first
        old = folder / f"kinds-{n:032d}.pickle"
        old.write_bytes(b"")
        os.utime(old, ns=(n * 10**9, n * 10**9))
    (folder / "other-0.pickle").write_bytes(b"")
    kinds.Registry(faults_dir())["unit_change"]
    left = sorted(p.name for p in folder.glob("kinds-*.pickle"))
    assert len(left) == loader.CACHE_KEPT
    assert f"kinds-{5:032d}.pickle" in left and f"kinds-{0:032d}.pickle" not in left
    assert (folder / "other-0.pickle").exists()
