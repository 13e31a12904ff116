"""The validator trusts no fault-kind file: each broken kind in `broken_kinds/` (one mistake
class each) is one line naming the file, the field and what is valid, and none reaches play."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from oncall import cli
from oncall.content import loader
from oncall.content.kindcheck import regex_problem, render_problem, template_shape
from oncall.content.kinds import Registry, faults_dir

BROKEN = Path(__file__).parent / "broken_kinds"


def test_each_broken_kind_is_one_line_naming_file_and_field(capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    files = sorted(BROKEN.glob("*.yaml"))
    assert len(files) >= 12
    assert cli.main(["validate", str(BROKEN)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split(":")[0] for line in lines) == [str(f) for f in files]
    for line in lines:
        _, field, reason = line.split(": ", 2)
        assert field and " " not in field, line
        assert "valid" in reason, line  # every line names what would be valid


def test_no_broken_kind_reaches_play() -> None:
    reg = Registry(BROKEN)
    assert len(reg) == 0
    for f in BROKEN.glob("*.yaml"):
        assert reg.broken(f.stem) is not None, f.name


def test_templates_are_plain_dotted_names() -> None:
    ns = {"params": {"feature": "x", "share": 0.25}, "model": {"name": "m"}}
    assert render_problem("{params.feature} on {model.name}", ns) is None
    assert render_problem("{params.share:.0%} of rows", ns) is None
    assert "no 'nmae'" in str(render_problem("{model.nmae}", ns))
    for bad in ("{0}", "{}", "{params[feature]}", "{params.feature!r}", "{params.feature:>99}",
                "{params.feature:{params.share}}", "{unclosed"):
        assert template_shape(bad) is not None, bad


def test_regular_expressions_are_compiled_short_and_linear() -> None:
    assert regex_problem(r"SIGKILL|OOMKilled \d+") is None
    assert regex_problem(r"retry (\d+)/\d+") is None
    assert "nested repetition" in str(regex_problem("(a+)+$"))
    assert "nested repetition" in str(regex_problem("((ab)*c)+"))
    assert "not a regular expression" in str(regex_problem("([unclosed"))
    assert "characters" in str(regex_problem("a" * 400))
    assert "more than" in str(regex_problem("a{5000}"))


def _content_folder(tmp: Path, kind_file: Path, kind_id: str) -> Path:
    """A content folder outside the checkout: one kind (a copy of `kind_file` as `kind_id`) and
    a scenario placing it on the model and keyed as support-1 is."""
    (tmp / "faults").mkdir(parents=True)
    (tmp / "incidents").mkdir()
    kind = yaml.safe_load(kind_file.read_text())
    kind["id"] = kind_id
    (tmp / "faults" / f"{kind_id}.yaml").write_text(yaml.safe_dump(kind, sort_keys=False))
    sc = yaml.safe_load((loader.incidents_dir() / "support-1.yaml").read_text())
    sc["id"], sc["fault"]["kind"] = "added-1", kind_id
    (tmp / "incidents" / "added-1.yaml").write_text(yaml.safe_dump(sc, sort_keys=False))
    return tmp


@pytest.fixture
def clean_content(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv(loader.CONTENT_ENV, raising=False)
    loader.clear_caches()
    yield
    # Not monkeypatch.delenv: that would record the folder as the value to restore.
    os.environ.pop(loader.CONTENT_ENV, None)
    loader.clear_caches()


def test_a_broken_kind_is_one_line_not_a_cascade(tmp_path: Path, clean_content: None,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = _content_folder(tmp_path / "mine", BROKEN / "missing_name.yaml", "leaky")
    assert cli.main(["validate", str(folder)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(str(folder / "faults" / "leaky.yaml") + ": logs.0.template: ")
    with pytest.raises(loader.ContentError, match="does not validate"):
        loader.scenario("added-1")


def test_a_content_folder_adds_a_playable_incident(tmp_path: Path, clean_content: None,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = _content_folder(tmp_path / "mine", faults_dir() / "memory_leak.yaml", "leaky")
    shutil.copy(loader.runbooks_dir() / "PodCrashLooping.md", folder / "runbooks.md")
    assert cli.main(["validate", str(folder)]) == 0
    assert cli.main(["--content", str(folder), "scenarios", "show", "added-1"]) == 0
    assert "added-1" in capsys.readouterr().out
    assert loader.scenario("added-1").fault.kind == "leaky"
    assert "support-1" in loader.scenarios() and "added-1" in loader.scenarios()


def test_a_kind_file_is_told_by_its_content_wherever_it_lies(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    shutil.copy(BROKEN / "unknown_team.yaml", tmp_path / "unknown_team.yaml")
    assert cli.main(["validate", str(tmp_path)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert "responses.0.when.team.0: unknown team 'dba-oncall'; valid: model-owners" in line
