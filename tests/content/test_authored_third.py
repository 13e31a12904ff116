"""A third authored folder, written from the docs alone: a producer that sends 0 for a missing
amount (a row `scale` by 0 on a share of rows, a cause, a fix, a team and a paging alert of its
own), a retrain promoted with a column known only after the outcome (a new version, an affine
score collapse), and a GPU with memory errors slowing the pod on its node (`where_node` on a
condition a later nodes effect sets, requests that time out). What playing them found is held
here."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from content_folders import content_folder

from oncall import cli
from oncall.content import loader
from oncall.content.kinds import fault_kinds
from oncall.content.symptoms import problems as telling
from oncall.game import checks, conformance
from oncall.game.engine import Game
from oncall.scoring import score
from oncall.sim import registry
from oncall.sim.impact import describe
from oncall.story.spoken import spoken_stories

FOLDER = Path(__file__).parent / "authored_third"


@pytest.fixture
def folder():  # type: ignore[no-untyped-def]
    with content_folder(FOLDER):
        yield


def _played(sid: str, which: str = "right") -> Game:
    sc = loader.scenario(sid)
    g = Game(sc, 7)
    for cmd in getattr(sc.playbook, which):
        assert g.do(cmd).ok, cmd
    return g


def test_the_folder_validates_and_keeps_its_promises(folder: None) -> None:
    assert checks.validate([FOLDER]) == []
    assert conformance.run([FOLDER], seeds=(7,)) == []


def test_a_parameter_named_for_the_cause_is_not_tool_text(folder: None) -> None:
    # `{params.leaked}` prints the column's name, never the word 'leaked'; a literal word in
    # the text still names the cause.
    kind = fault_kinds()["leaked_label_retrain"]
    assert telling(kind) == []
    line = kind.logs[0].model_copy(update={"template": "feature leaked: {params.leaked}"})
    assert [w for w, _ in telling(kind.model_copy(update={"logs": [line]}))] == \
        ["logs.0.template"]


def _without_alerts(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(FOLDER, copy)
    (copy / "registries" / "alerts.yaml").unlink()
    (copy / "runbooks" / "ModelPredictionMeanMoved.md").unlink()
    for f in (copy / "incidents").glob("*.yaml"):
        f.write_text(f.read_text(encoding="utf-8").replace(
            "ModelPredictionMeanMoved", "ModelPredictionMeanShift"), encoding="utf-8")
    return copy


def test_a_fault_that_pages_nobody_is_a_validation_line_not_a_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without the folder's 20% alert, the sentinel moves the prediction mean too little for
    # the shipped rules: `validate` said every file was valid and `play` crashed.
    copy = _without_alerts(tmp_path)
    with content_folder(copy):
        found = [p for p in checks.validate([copy]) if "pages nobody" in p.reason]
        assert [(Path(p.file).name, p.field) for p in found] == [
            ("third-sentinel-1.yaml", "fault")]
        assert "valid: effects that move a series a paging alert watches" in found[0].reason
        assert any("third-sentinel-1: cannot be built" in line
                   for line in conformance.run([copy / "incidents" / "third-sentinel-1.yaml"],
                                               seeds=(7,)))
    monkeypatch.setattr("sys.stdin", io.StringIO('{"do":"ack"}\n'))
    code = cli.main(["--content", str(copy), "--home", str(tmp_path / "home"), "play",
                     "--headless", "--scenario", "third-sentinel-1", "--seed", "7"])
    err = capsys.readouterr().err
    assert code == 2 and "internal error" not in err and "pages nobody" in err


def test_a_relative_alert_on_a_series_it_cannot_divide_is_refused(tmp_path: Path) -> None:
    # A relative rule divides by the training prediction mean (or quality): on feature_mean:*
    # it compared an amount in cents with a score and fired on every model, all night.
    f = tmp_path / "alerts.yaml"
    text = (FOLDER / "registries" / "alerts.yaml").read_text(encoding="utf-8")
    f.write_text(text.replace("metric: pred_mean", "metric: 'feature_mean:*'"), encoding="utf-8")
    entries, problems = registry.read_file(f, "alert")
    assert entries == [] and len(problems) == 1
    assert "metric: a relative rule divides by the model's training prediction mean" in \
        problems[0].reason and "valid: pred_mean" in problems[0].reason


def test_a_fall_of_the_prediction_mean_is_said_as_a_fall() -> None:
    said = describe({"prediction_shift_pct": -36.7, "minutes_outside_quality_slo": 0})
    assert "mean prediction as far as 36.7% below training" in said and "up to -" not in said
    assert "predictions 12% above training" in describe({"prediction_shift_pct": 12.0},
                                                         short=True)


def test_a_resolution_in_the_fixs_own_words_says_what_ended_it(folder: None) -> None:
    # "Treated txn_amount_cents=0 as missing at ingestion" is null_sentinel_values as its
    # registry entry says it; the card said the resolution did not say what ended it.
    card = score(_played("third-sentinel-1").record)
    lines = [f for s in card.sections for f in s.feedback]
    assert not any("does not say what ended it" in f for f in lines)
    assert card.percent - score(_played("third-sentinel-1", "wrong").record).percent > 30


def test_a_remediation_not_credited_is_not_also_called_fitting(folder: None) -> None:
    # test-feature-schema's checks pass on this night's rows: the card said 'also fitting:
    # test-feature-schema' and, in the same line, 'not generated or credited: test-feature-schema'.
    sc = loader.scenario("third-sentinel-1")
    answers = sc.answers.model_copy(update={"remediations": ["mon-prediction-shift",
                                                             "test-feature-schema"]})
    sc = sc.model_copy(update={"answers": answers})
    g = Game(sc, 7)
    for cmd in sc.playbook.right:
        if cmd["do"] == "postmortem":
            cmd = {**cmd, "remediations": ["mon-prediction-shift", "test-feature-schema"]}
        assert g.do(cmd).ok, cmd
    [line] = [f for s in score(g.record).sections for f in s.feedback
              if f.startswith("Remediations") or f.startswith("No remediation")]
    assert "Not generated or credited" in line and "test-feature-schema" in line
    assert line.count("test-feature-schema") == 1, line


def test_the_spoken_story_tells_the_night_in_order_and_keeps_i(folder: None) -> None:
    g = Game(loader.scenario("third-ecc-1"), 7)
    for cmd in [{"do": "ack"}, {"do": "infra", "model": "search-ranker"},
                {"do": "hotfix", "model": "search-ranker", "fix": "scale_up"},
                {"do": "diagnose", "category": "infra", "cause": "I3", "evidence": ["obs-2"]},
                {"do": "hotfix", "model": "search-ranker", "fix": "drain_node_gpu"},
                {"do": "wait", "minutes": 15}, {"do": "resolve"},
                {"do": "postmortem", "summary": "One GPU slowed one pod.",
                 "root_cause": "ECC errors on a GPU.", "resolution": "Drained the node.",
                 "lessons": {"went_wrong": "I scaled up before I read the node's state."}}]:
        assert g.do(cmd).ok, cmd
    told = {s.question: s.text for s in spoken_stories(g.record)}
    incident = told["incident"]
    assert incident.index("I scaled the model up") < incident.index("I called it") < \
        incident.index("cordon the node")
    assert "as I wrote it up: I scaled up before" in told["learned"]
    assert not re.search(r"\bi\b", told["learned"])


def test_an_answer_key_naming_an_alert_that_did_not_page_is_a_line(tmp_path: Path) -> None:
    # The GPU's timeouts page ModelHigh5xxRatio first; the key said ModelHighP99Latency, and
    # neither validate nor the harness said so (the card then judged detection against it).
    copy = tmp_path / "content"
    shutil.copytree(FOLDER, copy)
    f = copy / "incidents" / "third-ecc-1.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace(
        "signal_alert: ModelHigh5xxRatio", "signal_alert: ModelHighP99Latency"), encoding="utf-8")
    with content_folder(copy):
        assert [(Path(p.file).name, p.field) for p in checks.validate([copy])] == [
            ("third-ecc-1.yaml", "answers.signal_alert")]
        assert any("answers.signal_alert: ModelHighP99Latency is not among" in line
                   for line in conformance.run([f], seeds=(7,)))


async def test_the_tui_says_why_a_fault_that_pages_nobody_cannot_start(tmp_path: Path) -> None:
    """The TUI's loading screen gives the same line as `play --headless` (it said "internal
    error err-... (NoPage)") and goes back to the title."""
    from oncall.tui.app import make_app
    from oncall.tui.screens.title import TitleScreen

    copy = _without_alerts(tmp_path)
    with content_folder(copy):
        app = make_app(seed=7, scenario="third-sentinel-1", home=tmp_path / "home")
        said: list[str] = []
        app.notify = lambda message, **kw: said.append(str(message))  # type: ignore[method-assign]
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if said:
                    break
            await pilot.pause()
            assert isinstance(app.screen, TitleScreen)
    assert said and said[0].startswith("third-sentinel-1: fault: the "), said
    assert "pages nobody" in said[0] and "internal error" not in said[0]
