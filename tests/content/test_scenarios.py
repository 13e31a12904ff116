from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oncall.content import loader
from oncall.sim.alerts import RULES


def test_shipped_scenarios_are_valid_and_cover_each_category() -> None:
    scenarios = loader.scenarios()
    assert {s.answers.category for s in scenarios.values()} == {"data", "model", "infra"}
    assert loader.validate([loader.incidents_dir()]) == []


def test_every_alert_rule_has_a_runbook_with_the_four_sections() -> None:
    for rule in RULES:
        sections = loader.runbook_sections(loader.runbook(rule.name))
        assert set(loader.RUNBOOK_SECTIONS) <= set(sections), rule.name
        assert all(sections[s].strip() for s in loader.RUNBOOK_SECTIONS)


def _broken(tmp_path: Path, mutate: dict[str, object], name: str = "broken") -> Path:
    src = loader.incidents_dir() / "fraud-1.yaml"
    data = yaml.safe_load(src.read_text())
    data["id"] = name
    for dotted, value in mutate.items():
        node = data
        *path, last = dotted.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    out = tmp_path / f"{name}.yaml"
    out.write_text(yaml.safe_dump(data))
    return out


def test_wrong_field_is_refused_with_file_field_and_reason(tmp_path: Path) -> None:
    path = _broken(tmp_path, {"fault.onset": "2 AM"})
    with pytest.raises(loader.ContentError) as err:
        loader.parse_scenario(path)
    (problem,) = err.value.problems
    assert problem.file == str(path)
    assert problem.field == "fault.onset"
    assert "HH:MM" in problem.reason


def test_an_also_fault_without_an_id_of_its_own_is_named_with_what_is_valid(
        tmp_path: Path) -> None:
    path = _broken(tmp_path, {"also": [{"kind": "gpu_oom", "model": "search-ranker",
                                        "onset": "02:02", "params": {"batch_size": 96}}]})
    with pytest.raises(loader.ContentError) as err:
        loader.parse_scenario(path)
    (problem,) = err.value.problems
    assert problem.field == "also.0.id"
    assert problem.reason == ("'main' is already the main fault's id (an also: fault without "
                              "one is 'main'); valid: an id of its own, such as search-ranker")


def test_unknown_field_and_unknown_model_are_both_reported(tmp_path: Path) -> None:
    path = _broken(tmp_path, {"fault.model": "no-such-model", "answers.sevrity": 2})
    problems = loader.validate([path])
    fields = {p.field for p in problems}
    assert "fault.model" in fields and "answers.sevrity" in fields
    assert any("unknown model" in p.reason for p in problems)


def test_category_must_agree_with_the_cause(tmp_path: Path) -> None:
    path = _broken(tmp_path, {"answers.category": "infra"})
    (problem,) = loader.validate([path])
    assert "D4 is a data fault" in problem.reason


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\ntitle: [unclosed\n")
    (problem,) = loader.validate([path])
    assert problem.field.startswith("line ") and "YAML" in problem.reason


def test_a_broken_scenario_file_does_not_take_the_library_down(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    for src in loader.incidents_dir().glob("*.yaml"):
        (tmp_path / src.name).write_text(src.read_text())
    (tmp_path / "half-written.yaml").write_text("")
    monkeypatch.setattr(loader, "incidents_dir", lambda: tmp_path)
    loader._library.cache_clear()
    try:
        found = loader.scenarios()
        assert "fraud-1" in found and "half-written" not in found
        problems = loader.scenario_problems()
        assert [Path(p.file).name for p in problems] == ["half-written.yaml"]
        with pytest.raises(loader.ContentError, match="expected a mapping"):
            loader.scenario("half-written")
    finally:
        loader._library.cache_clear()


def test_a_parsed_scenario_is_read_back_from_disk_until_it_or_a_kind_file_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from oncall.content import kinds

    monkeypatch.setenv(loader.CACHE_ENV, str(tmp_path / "cache"))
    path = _broken(tmp_path, {}, name="kept")
    first = loader.checked_scenario(path)
    assert list((tmp_path / "cache").glob("scenarios-*.pickle"))

    def never(path: Path, data: object = None) -> object:
        raise AssertionError(f"{path} parsed again")

    with monkeypatch.context() as m:
        m.setattr(loader, "parse_scenario", never)
        assert loader.checked_scenario(path) == first
        # a fault-kind file that changed (here: one more) is read by the validation: parse again
        extra = tmp_path / "faults"
        extra.mkdir()
        (extra / "zz_kind.yaml").write_text("id: zz_kind\n")
        m.setattr(kinds, "faults_dirs", lambda: [kinds.faults_dir(), extra])
        with pytest.raises(AssertionError, match="parsed again"):
            loader.checked_scenario(path)

    path.write_text(path.read_text().replace(f"title: {first.title}", "title: Edited"))
    edited = loader.checked_scenario(path)
    assert edited.title == "Edited" and loader.checked_scenario(path) == edited
    path.write_text(path.read_text().replace("model: fraud-scorer", "model: no-such-model"))
    with pytest.raises(loader.ContentError, match="unknown model"):
        loader.checked_scenario(path)
